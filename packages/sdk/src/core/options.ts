import type { RetryPolicy } from './retry.ts';
import type { KeyValueStore } from './queue.ts';

// What an app and a platform hand the client: its options, and the runtime's abilities.
// Types only, so every platform entry can name them without pulling in code.

export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** What a platform (browser, Node) gives the core. */
export interface Platform {
  fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string | Uint8Array; keepalive?: boolean },
  ): Promise<HttpResponse>;
  now(): number;
  random(): number;
  uuid(): string;
  sha256Hex(text: string): Promise<string>;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  store?: KeyValueStore;
  /** Compresses a request body; absent where the runtime cannot. */
  gzip?: (text: string) => Promise<Uint8Array>;
  /** What the runtime knows of the device (OS, model, locale). */
  context?: () => { os?: string; os_version?: string; device_model?: string; locale?: string };
  /** Do-Not-Track / Global Privacy Control as the runtime reports them. */
  doNotTrack?: () => boolean;
  /** False when the runtime knows it is offline. */
  online?: () => boolean;
}

export interface SightlineEvent {
  type: string;
  data: Record<string, unknown>;
  timestamp: number;
}

export interface SightlineOptions {
  /** The app's public ingest key (pk_…). */
  key: string;
  /** Where the Sightline api is, e.g. https://telemetry.example.com */
  endpoint: string;
  appVersion?: string;
  environment?: string;
  /** Share of sessions whose usage events are sent (0–1, decided per session); crashes always are. */
  sampleRate?: number;
  /** Events per request (default 50, at most 500). */
  batchSize?: number;
  /** How often queued events are sent (ms, default 60 s as in the seed). */
  flushInterval?: number;
  /** Events kept while offline; beyond it the oldest are dropped and counted (default 1,000). */
  maxQueueSize?: number;
  /** Idle time after which a new session starts (ms, default 30 minutes). */
  sessionTimeout?: number;
  /** Change or drop (return null) an event before it is queued. */
  beforeSend?: (event: SightlineEvent) => SightlineEvent | null;
  /** Extra data keys never sent (secret-sounding keys always are filtered). */
  excludeFields?: string[];
  privacy?: {
    /** Send nothing but crash reports while the browser asks not to be tracked. */
    respectDoNotTrack?: boolean;
    /** Collect usage events only once `setConsent({ analytics: true })` was called (a consent banner). */
    requireConsent?: boolean;
  };
  retry?: Partial<RetryPolicy>;
  /** Logs the SDK's own failures to the console. */
  debug?: boolean;
}

export interface CaptureContext {
  tags?: Record<string, string>;
  extra?: Record<string, unknown>;
  level?: 'fatal' | 'error' | 'warning';
  /**
   * Whether the app caught the error (default true for a call by hand). The SDK's global
   * handlers (onerror, unhandledrejection, uncaughtException) send false: a crash of the session.
   */
  handled?: boolean;
}
