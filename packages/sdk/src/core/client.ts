import type { Consent, ConsentState } from './consent.ts';
import type { CaptureContext, Platform, SightlineEvent, SightlineOptions } from './options.ts';
import { CONSENT_KEY, CRASH_KEY, OPT_OUT_KEY, loadDeviceId, type QueuedCrash } from './persistence.ts';
import { EventQueue, type QueuedEvent } from './queue.ts';
import { safeString, scrub, scrubString } from './scrub.ts';
import { SessionTracker } from './session.ts';
import { ids, Transport, wire } from './transport.ts';

// The platform-free client: what `init()` returns on every platform. Events are queued,
// batched and sent by a transport with backoff; crash reports are kept in their own queue
// and sent first. Nothing here throws into the host app: every entry point is guarded.
// The pieces it drives live beside it: transport.ts (the way to the api), persistence.ts
// (what is kept on the device), consent.ts (what the user allowed), options.ts (the types).

export type { Consent } from './consent.ts';
export type { CaptureContext, HttpResponse, Platform, SightlineEvent, SightlineOptions } from './options.ts';

const MAX_BATCH = 500;

export class SightlineClient extends Transport {
  readonly queue: EventQueue;
  readonly #sessions: SessionTracker;
  readonly #exclude: ReadonlySet<string>;
  readonly #batchSize: number;
  #crashes: QueuedCrash[] = [];
  /** @internal This install's id as sent (hashed). */
  deviceId: Promise<string>;
  /** The device id once hashed, for sends that cannot wait (the page going away). */
  #deviceHash: string | null = null;
  /** Stored state (queue, consent, opt-out) has been read: until then nothing is decided for good. */
  #loaded = false;
  #userId: string | null = null;
  #optedOut = false;
  /** What the user allowed (`setConsent`); `synced` false while the server has not heard it. */
  readonly consent: ConsentState = {};
  /** @internal Set by `privacyControls(client)`, which tells the server about choices made here. */
  onPrivacyChange: (() => void) | null = null;
  #timer: unknown = null;
  #flushing: Promise<void> | null = null;
  #closed = false;
  readonly ready: Promise<void>;

  constructor(options: SightlineOptions, platform: Platform) {
    super(options, platform);
    this.#batchSize = Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? 50));
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
      else if (!(this.consent.analytics ?? !options.privacy?.requireConsent))
        this.queue.remove(this.queue.peek(this.queue.size));
    });
    this.#schedule();
  }

  /** A usage event (page view, click, custom type). */
  track(type: string, data: Record<string, unknown> = {}): void {
    this.#guard(() => {
      if (this.#optedOut || this.#closed) return;
      if (this.#loaded && !(this.consent.analytics ?? !this.options.privacy?.requireConsent)) return;
      if (this.options.privacy?.respectDoNotTrack && this.platform.doNotTrack?.()) return;
      const now = this.platform.now();
      const { session, started } = this.#sessions.touch(now);
      if (!session.sampled) return;
      if (started && type !== 'session_start') this.#enqueue('session_start', {}, now, session.id);
      this.#enqueue(type, data, now, session.id);
      if (this.queue.size >= this.#batchSize) void this.flush();
    });
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
  override flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = this.#guardAsync(() => this.#drain()).finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Flushes and stops the timers (process exit, page hide with fetch keepalive). */
  async shutdown(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.platform.clearTimeout(this.#timer);
    this.platform.clearTimeout(this.retryTimer);
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
      for (const crash of [...this.#crashes]) {
        // One too large for what is left is skipped, not in the way of the rest.
        if (!this.inFlight.has(crash.id))
          this.post('/v1/telemetry/crash', { ...envelope, ...crash.body }, [crash.id], final, () =>
            this.#forgetCrash(crash.id),
          );
      }
      const postEvents = (batch: QueuedEvent[]) =>
        this.post('/v1/telemetry/events', { ...envelope, events: batch.map(wire) }, ids(batch), final, () =>
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

  /** Usage events wait while the server has not heard the device's choices (consent.ts). */
  #held(): boolean {
    return this.consent.synced === false && this.onPrivacyChange !== null;
  }

  /** Queued events not on the network already. */
  #pending(): QueuedEvent[] {
    return this.queue.peek(this.queue.size).filter((e) => !this.inFlight.has(e.id));
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
        this.warn('beforeSend threw: event dropped', error);
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
    if (this.retryTimer !== null) return; // the server asked us to wait
    // Crashes first, and a crash captured while this drain runs goes out in it, before the
    // next batch of events (not at the next flush, which may never come if the page dies).
    for (;;) {
      const crash = this.#crashes.find((c) => !this.inFlight.has(c.id));
      if (crash) {
        const body = { ...(await this.#envelope()), ...crash.body };
        if (!(await this.send('/v1/telemetry/crash', body, [crash.id]))) return;
        this.#forgetCrash(crash.id);
        continue;
      }
      if (this.#held()) return;
      const batch = this.#pending().slice(0, this.#batchSize);
      if (batch.length === 0) return;
      const body = { ...(await this.#envelope()), events: batch.map(wire) };
      if (!(await this.send('/v1/telemetry/events', body, ids(batch)))) return;
      this.queue.remove(batch);
    }
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
    const id = loadDeviceId(this.platform, this.options.key, fresh);
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
      this.warn('internal error (ignored)', error);
    }
  }

  async #guardAsync(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.warn('internal error (ignored)', error);
    }
  }
}
