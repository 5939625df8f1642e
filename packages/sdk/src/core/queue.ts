// The events waiting to be sent: bounded (the oldest go first when it is full, and are
// counted), and mirrored to storage when the platform has some (localStorage, a file), so
// a closed page or a restarted process sends them later.

export interface KeyValueStore {
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string): void | Promise<void>;
}

export interface QueuedEvent {
  id: string;
  type: string;
  timestamp: number;
  session_id: string;
  data: Record<string, unknown>;
  name?: string;
  value?: number;
}

export class EventQueue {
  // items[head…] are queued; dropping the oldest moves `head` (compacted now and then),
  // so a full queue costs no more per event than an empty one.
  #items: QueuedEvent[] = [];
  #head = 0;
  /** Events dropped because the queue was full, since the SDK started. */
  dropped = 0;
  #persistPending = false;

  readonly #maxSize: number;
  readonly #store: KeyValueStore | undefined;
  readonly #storeKey: string;

  constructor(maxSize: number, store?: KeyValueStore, storeKey = 'sightline:queue') {
    this.#maxSize = maxSize;
    this.#store = store;
    this.#storeKey = storeKey;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(event: QueuedEvent): void {
    this.#items.push(event);
    this.#trim();
    this.#persist();
  }

  /** The oldest `n` events (after skipping `from`), still queued until `remove` confirms they were sent (or dropped). */
  peek(n: number, from = 0): QueuedEvent[] {
    return this.#items.slice(this.#head + from, this.#head + from + n);
  }

  remove(sent: readonly QueuedEvent[]): void {
    const ids = new Set(sent.map((e) => e.id));
    this.#items = this.#items.slice(this.#head).filter((e) => !ids.has(e.id));
    this.#head = 0;
    this.#persist();
  }

  /** Adds what an earlier run left in storage (before anything new). */
  async restore(): Promise<void> {
    if (!this.#store) return;
    try {
      const saved = await this.#store.get(this.#storeKey);
      const parsed: unknown = saved ? JSON.parse(saved) : [];
      if (!Array.isArray(parsed)) return;
      const current = this.#items.slice(this.#head);
      const known = new Set(current.map((e) => e.id));
      const restored = (parsed as QueuedEvent[]).filter((e) => e && typeof e.id === 'string' && !known.has(e.id));
      this.#items = [...restored, ...current];
      this.#head = 0;
      this.#trim();
    } catch {
      // Unreadable storage: start empty rather than fail the host app.
    }
  }

  #trim(): void {
    const over = this.size - this.#maxSize;
    if (over > 0) {
      this.#head += over;
      this.dropped += over;
    }
    if (this.#head > 1024 && this.#head > this.#maxSize) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Writes the queue once per tick, however many events arrived in it (a tight loop costs one write). */
  #persist(): void {
    if (!this.#store || this.#persistPending) return;
    this.#persistPending = true;
    queueMicrotask(() => {
      this.#persistPending = false;
      try {
        void Promise.resolve(this.#store?.set(this.#storeKey, JSON.stringify(this.#items.slice(this.#head)))).catch(
          () => undefined,
        );
      } catch {
        // Storage full or refused (private mode): the queue lives in memory only.
      }
    });
  }
}
