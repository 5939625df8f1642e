// Sessions as the seed counts them: a new one after 30 minutes without activity. Whether a
// session's usage events are kept (sampling) is decided once, when it starts, so a session
// is either whole or absent from the data — never a random subset of its screens.

export interface Session {
  id: string;
  startedAt: number;
  sampled: boolean;
}

export class SessionTracker {
  #current: Session | null = null;
  #lastActivity = 0;

  readonly #timeoutMs: number;
  readonly #sampleRate: number;
  readonly #uuid: () => string;
  readonly #random: () => number;

  constructor(timeoutMs: number, sampleRate: number, uuid: () => string, random: () => number) {
    this.#timeoutMs = timeoutMs;
    this.#sampleRate = sampleRate;
    this.#uuid = uuid;
    this.#random = random;
  }

  /** Ends the session: the next activity starts a new one (a device that was just forgotten). */
  reset(): void {
    this.#current = null;
  }

  /** The session at `now`, and whether it has just started (the caller reports session_start). */
  touch(now: number): { session: Session; started: boolean } {
    let started = false;
    if (!this.#current || now - this.#lastActivity > this.#timeoutMs) {
      this.#current = { id: this.#uuid(), startedAt: now, sampled: this.#random() < this.#sampleRate };
      started = true;
    }
    this.#lastActivity = Math.max(this.#lastActivity, now);
    return { session: this.#current, started };
  }
}
