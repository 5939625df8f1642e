import { DEFAULT_RETRY, isFinal, outcomeOf, type RetryPolicy } from './retry.ts';
import { EventQueue, type KeyValueStore, type QueuedEvent } from './queue.ts';
import { scrub, scrubString } from './scrub.ts';
import { SessionTracker } from './session.ts';

// The platform-free client: what `init()` returns on every platform. Events are queued,
// batched and sent by a transport with backoff; crash reports are kept in their own queue
// and sent first. Nothing here throws into the host app: every entry point is guarded.

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

/** What the user allowed, as in the seed's privacy settings; unset means the app's default. */
export interface Consent {
  analytics?: boolean;
  crashReports?: boolean;
}

interface QueuedCrash {
  id: string;
  body: Record<string, unknown>;
}

const MAX_BATCH = 500;
/** Browsers let requests that outlive their page carry 64 KB in all; some is kept for headers. */
const KEEPALIVE_BYTES = 60_000;
const DEVICE_KEY = 'sightline:device';
const OPT_OUT_KEY = 'sightline:opted-out';
const CRASH_KEY = 'sightline:crashes';
const CONSENT_KEY = 'sightline:consent';

export class SightlineClient {
  readonly queue: EventQueue;
  readonly #sessions: SessionTracker;
  readonly #exclude: ReadonlySet<string>;
  readonly #batchSize: number;
  readonly #retry: RetryPolicy;
  #crashes: QueuedCrash[] = [];
  /** @internal This install's id as sent (hashed). */
  deviceId: Promise<string>;
  /** The device id once hashed, for sends that cannot wait (the page going away). */
  #deviceHash: string | null = null;
  /** Ids of crash reports and events on the network and not answered yet (neither path sends them twice). */
  readonly #inFlight = new Set<string>();
  /** Bytes of keepalive requests not answered yet: the browser allows 64 KB for them all. */
  #keepaliveBytes = 0;
  /** Stored state (queue, consent, opt-out) has been read: until then nothing is decided for good. */
  #loaded = false;
  #userId: string | null = null;
  #optedOut = false;
  /** What the user allowed (`setConsent`); `synced` false while the server has not heard it. */
  readonly consent: Consent & { synced?: boolean } = {};
  /** @internal Set by `privacyControls(client)`, which tells the server about choices made here. */
  onPrivacyChange: (() => void) | null = null;
  #timer: unknown = null;
  #retryTimer: unknown = null;
  #attempt = 0;
  #flushing: Promise<void> | null = null;
  #closed = false;
  /** Batches the server refused for good (4xx), since the SDK started. */
  rejected = 0;
  readonly ready: Promise<void>;

  constructor(
    readonly options: SightlineOptions,
    /** @internal */ readonly platform: Platform,
  ) {
    this.#batchSize = Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? 50));
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#exclude = new Set((options.excludeFields ?? []).map((f) => f.toLowerCase()));
    this.queue = new EventQueue(options.maxQueueSize ?? 1000, platform.store);
    this.#sessions = new SessionTracker(
      options.sessionTimeout ?? 30 * 60_000,
      Math.min(1, Math.max(0, options.sampleRate ?? 1)),
      () => platform.uuid(),
      () => platform.random(),
    );
    this.deviceId = this.#startDevice(false);
    this.ready = this.#guardAsync(async () => {
      await this.queue.restore();
      const store = platform.store;
      this.#optedOut ||= (await store?.get(OPT_OUT_KEY)) === '1';
      const saved = JSON.parse((await store?.get(CRASH_KEY)) || '[]') as QueuedCrash[];
      const known = new Set(this.#crashes.map((c) => c.id));
      this.#crashes = [...saved.filter((c) => !known.has(c.id)), ...this.#crashes];
      // Choices made before the stored ones were read are the newer ones.
      Object.assign(this.consent, { ...JSON.parse((await store?.get(CONSENT_KEY)) || '{}'), ...this.consent });
    }).finally(() => {
      this.#loaded = true;
      // What was collected before the user's stored choices were known, judged by them now.
      if (this.#optedOut) this.#forgetQueued();
      else if (!this.#usageAllowed()) this.queue.remove(this.queue.peek(this.queue.size));
    });
    this.#schedule();
  }

  /** A usage event (page view, click, custom type). */
  track(type: string, data: Record<string, unknown> = {}): void {
    this.#guard(() => {
      if (this.#optedOut || this.#closed) return;
      if (this.#loaded && !this.#usageAllowed()) return;
      if (this.options.privacy?.respectDoNotTrack && this.platform.doNotTrack?.()) return;
      const now = this.platform.now();
      const { session, started } = this.#sessions.touch(now);
      if (!session.sampled) return;
      if (started && type !== 'session_start') this.#enqueue('session_start', {}, now, session.id);
      this.#enqueue(type, data, now, session.id);
      if (this.queue.size >= this.#batchSize) void this.flush();
    });
  }

  #usageAllowed(): boolean {
    return this.consent.analytics ?? !this.options.privacy?.requireConsent;
  }

  counter(name: string, value = 1): void {
    this.track('counter', { name, value });
  }

  gauge(name: string, value: number): void {
    this.track('gauge', { name, value });
  }

  histogram(name: string, value: number): void {
    this.track('histogram', { name, value });
  }

  timing(name: string, durationMs: number): void {
    this.track('timing', { name, duration_ms: Math.max(0, durationMs) });
  }

  /** Starts a timer; calling what it returns records the elapsed time as a `timing`. */
  startTimer(name: string): () => void {
    const started = this.platform.now();
    return () => this.timing(name, this.platform.now() - started);
  }

  /** Names the app's user (off by default: nothing ties events to a person unless called). */
  identify(userId?: string | null): void {
    this.#guard(() => {
      this.#userId = userId ? String(userId).slice(0, 200) : null;
    });
  }

  /** Reports an error now (crash reports are never sampled; kept on disk until sent). */
  captureError(error: unknown, context: CaptureContext = {}): void {
    this.#guard(() => {
      if (this.#optedOut || this.#closed || this.consent.crashReports === false) return;
      const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : safeString(error));
      const now = this.platform.now();
      const { session } = this.#sessions.touch(now);
      const id = this.platform.uuid();
      this.#crashes.push({
        id,
        body: {
          id, // the server stores a report sent twice once
          timestamp: now,
          session_id: session.id,
          crash: {
            type: (err.name || 'Error').slice(0, 200),
            message: scrubString(err.message ?? '').slice(0, 8000),
            stack_trace: err.stack ? scrubString(err.stack).slice(0, 64_000) : null,
            level: context.level ?? 'error',
            handled: context.handled !== false,
            context: scrub({ ...(context.extra ?? {}) }, this.#exclude),
            ...(context.tags ? { tags: context.tags } : {}),
          },
        },
      });
      if (this.#crashes.length > 50) this.#crashes.splice(0, this.#crashes.length - 50);
      this.#persistCrashes();
      void this.flush();
    });
  }

  /** Sends what is queued now; resolves when done or when the server asked to wait. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = this.#guardAsync(() => this.#drain()).finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** The network is back: send now instead of waiting out the backoff. */
  retryNow(): Promise<void> {
    if (this.#retryTimer !== null) {
      this.platform.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.#attempt = 0;
    }
    return this.flush();
  }

  /** Flushes and stops the timers (process exit, page hide with fetch keepalive). */
  async shutdown(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.platform.clearTimeout(this.#timer);
    this.platform.clearTimeout(this.#retryTimer);
  }

  /**
   * The page is being hidden (`final`: unloaded): hands what is queued to the network at once
   * — no await before the requests start, no compression, keepalive within the browser's
   * 64 KB allowance for all such requests — whatever backoff was running. When the page is
   * unloaded what was handed over leaves the queue at once (the request outlives the page, a
   * copy kept would be sent again on the next visit); when it is only hidden it leaves when
   * the server answers. What did not fit stays for the next send.
   */
  leave(final = false): void {
    this.#guard(() => {
      const deviceId = this.#deviceHash;
      if (this.#closed || !deviceId || this.platform.online?.() === false) return void this.flush();
      const envelope = this.#envelopeFor(deviceId);
      const post = (path: string, body: unknown, ids: string[], done: () => void): boolean => {
        const text = JSON.stringify(body);
        const bytes = new Blob([text]).size;
        if (this.#keepaliveBytes + bytes > KEEPALIVE_BYTES) return false;
        this.#keepaliveBytes += bytes;
        for (const id of ids) this.#inFlight.add(id);
        const settle = (answered: boolean) => {
          this.#keepaliveBytes -= bytes;
          for (const id of ids) this.#inFlight.delete(id);
          if (answered && !final) done();
        };
        void this.platform
          .fetch(this.url(path), { method: 'POST', headers: this.#headers(), body: text, keepalive: true })
          .then(
            (res) => settle(isFinal(res.status)),
            () => settle(false),
          );
        if (final) done();
        return true;
      };
      for (const crash of [...this.#crashes]) {
        // One too large for what is left is skipped, not in the way of the rest.
        if (!this.#inFlight.has(crash.id))
          post('/v1/telemetry/crash', { ...envelope, ...crash.body }, [crash.id], () => this.#forgetCrash(crash.id));
      }
      const postEvents = (batch: QueuedEvent[]) =>
        post('/v1/telemetry/events', { ...envelope, events: batch.map(wire) }, ids(batch), () =>
          this.queue.remove(batch),
        );
      const waiting = this.#held() ? [] : this.#pending();
      for (let at = 0; at < waiting.length;) {
        let batch = waiting.slice(at, at + this.#batchSize);
        // Smaller batches when a full one does not fit what is left of the allowance.
        while (!postEvents(batch)) {
          if (batch.length === 1) return;
          batch = batch.slice(0, Math.ceil(batch.length / 2));
        }
        at += batch.length;
      }
    });
  }

  /**
   * Usage events wait while the server has not heard the device's choices (with privacy
   * controls attached): an app that asks for consent would refuse them until it has.
   */
  #held(): boolean {
    return this.consent.synced === false && this.onPrivacyChange !== null;
  }

  /** Queued events not on the network already. */
  #pending(): QueuedEvent[] {
    return this.queue.peek(this.queue.size).filter((e) => !this.#inFlight.has(e.id));
  }

  /**
   * Stops collecting and forgets what is queued; remembered across restarts, and — with
   * `privacyControls` attached — told to the server, which then refuses anything still on its
   * way from this device (a change made offline is sent on the next start).
   */
  optOut(): void {
    this.#setOptedOut(true);
  }

  optIn(): void {
    this.#setOptedOut(false);
  }

  #setOptedOut(value: boolean): void {
    this.#guard(() => {
      this.#optedOut = value;
      if (value) this.#forgetQueued();
      void this.platform.store?.set(OPT_OUT_KEY, value ? '1' : '0');
      this.#privacyChanged();
    });
  }

  /**
   * The user's choices (the seed's "Send usage analytics" / "Send crash reports"): applied at
   * once and kept on the device; declining drops what is queued of that kind. With
   * `privacyControls(client)` attached they are told to the server too, where an app that asks
   * for analytics consent stores a device's usage events only after it said yes.
   */
  setConsent(choice: Consent): void {
    this.#guard(() => {
      if (choice.analytics !== undefined) this.consent.analytics = choice.analytics;
      if (choice.crashReports !== undefined) this.consent.crashReports = choice.crashReports;
      if (choice.analytics === false) this.queue.remove(this.queue.peek(this.queue.size));
      if (choice.crashReports === false) this.#forgetCrashes();
      this.#privacyChanged();
    });
  }

  /** The server has not heard the device's privacy state yet: remembered, and sent when it can be. */
  #privacyChanged(): void {
    this.consent.synced = false;
    this.saveConsent();
    this.onPrivacyChange?.();
  }

  /**
   * Forgets this install: what is queued, the user, the session and the device id (a new one
   * from now on, which nothing sent before can be tied to). For sign-out, and after a deletion.
   * The user's consent and opt-out stay, and are told to the server for the new device.
   */
  reset(): Promise<void> {
    return this.#guardAsync(async () => {
      await this.ready;
      this.#forgetQueued();
      this.#userId = null;
      this.#sessions.reset();
      this.deviceId = this.#startDevice(true);
      await this.deviceId;
      this.#privacyChanged();
    });
  }

  get isOptedOut(): boolean {
    return this.#optedOut;
  }

  #enqueue(type: string, data: Record<string, unknown>, now: number, sessionId: string): void {
    let event: SightlineEvent | null = { type, data, timestamp: now };
    if (this.options.beforeSend) {
      try {
        event = this.options.beforeSend(event);
      } catch (error) {
        this.#log('beforeSend threw: event dropped', error);
        return;
      }
      if (!event) return;
    }
    this.queue.push({
      id: this.platform.uuid(),
      type: event.type,
      timestamp: event.timestamp,
      session_id: sessionId,
      data: scrub(event.data, this.#exclude) as Record<string, unknown>,
    });
  }

  async #drain(): Promise<void> {
    await this.ready;
    if (this.#retryTimer !== null) return; // the server asked us to wait
    // Crashes first, and a crash captured while this drain runs goes out in it, before the
    // next batch of events (not at the next flush, which may never come if the page dies).
    for (;;) {
      const crash = this.#crashes.find((c) => !this.#inFlight.has(c.id));
      if (crash) {
        const body = { ...(await this.#envelope()), ...crash.body };
        if (!(await this.#send('/v1/telemetry/crash', body, [crash.id]))) return;
        this.#forgetCrash(crash.id);
        continue;
      }
      if (this.#held()) return;
      const batch = this.#pending().slice(0, this.#batchSize);
      if (batch.length === 0) return;
      const body = { ...(await this.#envelope()), events: batch.map(wire) };
      if (!(await this.#send('/v1/telemetry/events', body, ids(batch)))) return;
      this.queue.remove(batch);
    }
  }

  /** POSTs one body; true when it is done with (sent, or refused for good). */
  async #send(path: string, body: Record<string, unknown>, sending: string[]): Promise<boolean> {
    const text = JSON.stringify(body);
    const headers = this.#headers();
    let payload: string | Uint8Array = text;
    if (this.platform.gzip && text.length > 1024) {
      payload = await this.platform.gzip(text);
      headers['content-encoding'] = 'gzip';
    }
    let status = 0;
    let retryAfter: string | null = null;
    // Keepalive (so a send the page's end interrupts still arrives) while the allowance lasts.
    const keepalive = this.#keepaliveBytes + payload.length <= KEEPALIVE_BYTES;
    const bytes = keepalive ? payload.length : 0;
    this.#keepaliveBytes += bytes;
    for (const id of sending) this.#inFlight.add(id);
    try {
      const res = await this.platform.fetch(this.url(path), { method: 'POST', headers, body: payload, keepalive });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
    } catch (error) {
      this.#log('send failed, will retry', error);
    } finally {
      this.#keepaliveBytes -= bytes;
      for (const id of sending) this.#inFlight.delete(id);
    }
    this.#attempt++;
    const outcome = outcomeOf(
      status,
      retryAfter,
      this.#attempt,
      this.#retry,
      () => this.platform.random(),
      this.platform.now(),
    );
    if (outcome.kind === 'retry') {
      this.#retryTimer = this.platform.setTimeout(() => {
        this.#retryTimer = null;
        void this.flush();
      }, outcome.afterMs);
      return false;
    }
    this.#attempt = 0;
    if (outcome.kind === 'drop') {
      this.rejected++;
      this.#log(`batch refused (${outcome.status}), dropped`);
    }
    return true;
  }

  /** @internal The endpoint (trailing slashes dropped) with `path`. */
  url(path: string): string {
    return `${this.options.endpoint.replace(/(?<!\/)\/+$/, '')}${path}`;
  }

  #headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.key}`, 'content-type': 'application/json' };
  }

  async #envelope(): Promise<Record<string, unknown>> {
    return this.#envelopeFor(await this.deviceId);
  }

  #envelopeFor(deviceId: string): Record<string, unknown> {
    const context = this.platform.context?.() ?? {};
    return {
      device_id: deviceId,
      ...(this.options.appVersion ? { app_version: this.options.appVersion } : {}),
      ...(this.options.environment ? { environment: this.options.environment } : {}),
      ...(this.#userId ? { user_id: this.#userId } : {}),
      ...context,
    };
  }

  /** An anonymous id for this install, hashed with the app's key before it leaves the device. */
  async #loadDeviceId(fresh: boolean): Promise<string> {
    let raw: string | null = null;
    try {
      raw = fresh ? null : ((await this.platform.store?.get(DEVICE_KEY)) ?? null);
      if (!raw) {
        raw = this.platform.uuid();
        await this.platform.store?.set(DEVICE_KEY, raw);
      }
    } catch {
      raw ??= this.platform.uuid();
    }
    return this.platform.sha256Hex(`${this.options.key}:${raw}`);
  }

  #schedule(): void {
    const every = Math.max(1000, this.options.flushInterval ?? 60_000);
    this.#timer = this.platform.setTimeout(() => {
      if (this.#closed) return;
      void this.flush().finally(() => this.#schedule());
    }, every);
  }

  /** @internal */
  saveConsent(): void {
    void Promise.resolve(this.platform.store?.set(CONSENT_KEY, JSON.stringify(this.consent))).catch(() => undefined);
  }

  /** The install's id, hashed; `fresh` starts a new install (after its data was deleted). */
  #startDevice(fresh: boolean): Promise<string> {
    this.#deviceHash = null;
    const id = this.#loadDeviceId(fresh);
    // Only the latest id counts (an earlier one may resolve after a reset started a new one).
    void id.then((hash) => this.deviceId === id && (this.#deviceHash = hash)).catch(() => undefined);
    return id;
  }

  #forgetQueued(): void {
    this.queue.remove(this.queue.peek(this.queue.size));
    this.#forgetCrashes();
  }

  #forgetCrashes(): void {
    this.#crashes = [];
    this.#persistCrashes();
  }

  #forgetCrash(id: string): void {
    this.#crashes = this.#crashes.filter((c) => c.id !== id);
    this.#persistCrashes();
  }

  #persistCrashes(): void {
    try {
      void Promise.resolve(this.platform.store?.set(CRASH_KEY, JSON.stringify(this.#crashes))).catch(() => undefined);
    } catch {
      // Memory only.
    }
  }

  #guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#log('internal error (ignored)', error);
    }
  }

  async #guardAsync(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#log('internal error (ignored)', error);
    }
  }

  #log(message: string, error?: unknown): void {
    // The one place the SDK writes to the console, and only when the app asked for it.
    // eslint-disable-next-line no-console
    if (this.options.debug) console.warn(`[sightline] ${message}`, error ?? '');
  }
}

const ids = (events: readonly QueuedEvent[]) => events.map((e) => e.id);

function wire(e: QueuedEvent) {
  return { id: e.id, type: e.type, timestamp: e.timestamp, session_id: e.session_id, data: e.data };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
