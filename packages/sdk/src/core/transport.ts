import type { Platform, SightlineOptions } from './options.ts';
import type { QueuedEvent } from './queue.ts';
import { DEFAULT_RETRY, isFinal, outcomeOf, type RetryPolicy } from './retry.ts';

// The way to the api: POSTs with backoff when the server or the network asks to wait, and
// keepalive requests that outlive the page within the browser's allowance. It knows which
// ids are on the network, so neither the regular send nor the page's last one sends twice.
// The client extends it rather than holding one: the browser build counts every byte (its
// budget is in size.test.ts), and delegating each call would cost more than the split.

/** Browsers let requests that outlive their page carry 64 KB in all; some is kept for headers. */
const KEEPALIVE_BYTES = 60_000;

export abstract class Transport {
  readonly #retry: RetryPolicy;
  /** Ids of crash reports and events on the network and not answered yet. */
  protected readonly inFlight = new Set<string>();
  /** Bytes of keepalive requests not answered yet: the browser allows 64 KB for them all. */
  #keepaliveBytes = 0;
  #attempt = 0;
  /** Set while a backoff runs (the server asked to wait, or the network failed). */
  protected retryTimer: unknown = null;
  /** Batches the server refused for good (4xx), since the SDK started. */
  rejected = 0;

  constructor(
    readonly options: SightlineOptions,
    /** @internal */ readonly platform: Platform,
  ) {
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Sends what is queued; called again when a backoff ends. */
  abstract flush(): Promise<void>;

  /** The one place the SDK writes to the console, and only when the app asked for it. */
  protected warn(message: string, error?: unknown): void {
    // eslint-disable-next-line no-console
    if (this.options.debug) console.warn(`[sightline] ${message}`, error ?? '');
  }

  /** The network is back: send now instead of waiting out the backoff. */
  retryNow(): Promise<void> {
    if (this.retryTimer !== null) {
      this.platform.clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.#attempt = 0;
    }
    return this.flush();
  }

  /** @internal The endpoint (trailing slashes dropped) with `path`. */
  url(path: string): string {
    return `${this.options.endpoint.replace(/(?<!\/)\/+$/, '')}${path}`;
  }

  #headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.key}`, 'content-type': 'application/json' };
  }

  /** POSTs one body; true when it is done with (sent, or refused for good). */
  protected async send(path: string, body: Record<string, unknown>, sending: string[]): Promise<boolean> {
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
    for (const id of sending) this.inFlight.add(id);
    try {
      const res = await this.platform.fetch(this.url(path), { method: 'POST', headers, body: payload, keepalive });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
    } catch (error) {
      this.warn('send failed, will retry', error);
    } finally {
      this.#keepaliveBytes -= bytes;
      for (const id of sending) this.inFlight.delete(id);
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
      this.retryTimer = this.platform.setTimeout(() => {
        this.retryTimer = null;
        void this.flush();
      }, outcome.afterMs);
      return false;
    }
    this.#attempt = 0;
    if (outcome.kind === 'drop') {
      this.rejected++;
      this.warn(`batch refused (${outcome.status}), dropped`);
    }
    return true;
  }

  /**
   * Hands one body to the network at once as a keepalive request (the page is going away);
   * false when it does not fit what is left of the allowance. `done` runs when the body is
   * done with: at once when `final` (the request outlives the page), else when answered.
   */
  protected post(path: string, body: unknown, sending: string[], final: boolean, done: () => void): boolean {
    const text = JSON.stringify(body);
    const bytes = new Blob([text]).size;
    if (this.#keepaliveBytes + bytes > KEEPALIVE_BYTES) return false;
    this.#keepaliveBytes += bytes;
    for (const id of sending) this.inFlight.add(id);
    const settle = (answered: boolean) => {
      this.#keepaliveBytes -= bytes;
      for (const id of sending) this.inFlight.delete(id);
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
  }
}

export const ids = (events: readonly QueuedEvent[]) => events.map((e) => e.id);

/** An event as the api reads it. */
export function wire(e: QueuedEvent) {
  return { id: e.id, type: e.type, timestamp: e.timestamp, session_id: e.session_id, data: e.data };
}
