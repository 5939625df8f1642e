import { SightlineClient, type SightlineOptions } from '../core/client.ts';
import { nodePlatform } from './platform.ts';

// @sightline/sdk/node: the core with Node's platform, crash capture for uncaught exceptions
// and unhandled rejections (with the process's context), and a flush before the process
// ends. Request analytics: `requestHandler` (http, Express) and `fastifyRequests`.

export { fastifyRequests, requestHandler, routeOf } from './requests.ts';
export { fileStore, nodePlatform } from './platform.ts';
export { SightlineClient, type Consent, type SightlineOptions } from '../core/client.ts';
export { privacyControls, type PrivacyControls, type PrivacyRequest } from '../core/privacy.ts';

export interface NodeOptions extends SightlineOptions {
  /** Report uncaught exceptions and unhandled rejections (default true). */
  captureUncaught?: boolean;
  /** A file that keeps queued events and crashes across restarts. */
  storePath?: string;
  /** How long a crashing process waits for its report to be sent (ms, default 2,000). */
  crashFlushTimeout?: number;
}

function processContext(): Record<string, unknown> {
  const memory = process.memoryUsage();
  return {
    runtime: `node ${process.version}`,
    pid: process.pid,
    uptime_s: Math.round(process.uptime()),
    rss_mb: Math.round(memory.rss / 1_048_576),
    heap_used_mb: Math.round(memory.heapUsed / 1_048_576),
    argv: process.argv.slice(1, 4),
  };
}

/** Starts the SDK for this process. */
export function init(options: NodeOptions): SightlineClient {
  const client = new SightlineClient(options, nodePlatform(options.storePath));
  const timeout = options.crashFlushTimeout ?? 2_000;
  const flushBounded = () =>
    Promise.race([client.flush(), new Promise<void>((resolve) => setTimeout(resolve, timeout).unref())]);

  if (options.captureUncaught !== false) {
    // With a listener, Node no longer ends the process by itself: when ours is the only
    // one, the process still ends as it would have (exit code 1), once the report is sent.
    const fatal = (error: unknown, origin: string, event: 'uncaughtException' | 'unhandledRejection') => {
      client.captureError(error, { level: 'fatal', handled: false, extra: { ...processContext(), origin } });
      const alone = process.listenerCount(event) <= 1;
      void flushBounded().finally(() => {
        if (!alone) return;
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      });
    };
    process.on('uncaughtException', (error, origin) => fatal(error, origin, 'uncaughtException'));
    process.on('unhandledRejection', (reason) => fatal(reason, 'unhandledRejection', 'unhandledRejection'));
  }
  // The event loop is empty: the last events go out before the process ends.
  process.once('beforeExit', () => void client.shutdown());
  return client;
}
