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
  private items: QueuedEvent[] = [];
  /** Events dropped because the queue was full, since the SDK started. */
  dropped = 0;

  constructor(
    private readonly maxSize: number,
    private readonly store?: KeyValueStore,
    private readonly storeKey = 'sightline:queue',
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(event: QueuedEvent): void {
    this.items.push(event);
    const over = this.items.length - this.maxSize;
    if (over > 0) {
      this.items.splice(0, over);
      this.dropped += over;
    }
    this.persist();
  }

  /** The oldest `n` events, still queued until `remove` confirms they were sent (or dropped). */
  peek(n: number): QueuedEvent[] {
    return this.items.slice(0, n);
  }

  remove(sent: readonly QueuedEvent[]): void {
    const ids = new Set(sent.map((e) => e.id));
    this.items = this.items.filter((e) => !ids.has(e.id));
    this.persist();
  }

  /** Adds what an earlier run left in storage (before anything new). */
  async restore(): Promise<void> {
    if (!this.store) return;
    try {
      const saved = await this.store.get(this.storeKey);
      const parsed: unknown = saved ? JSON.parse(saved) : [];
      if (!Array.isArray(parsed)) return;
      const known = new Set(this.items.map((e) => e.id));
      const restored = (parsed as QueuedEvent[]).filter((e) => e && typeof e.id === 'string' && !known.has(e.id));
      this.items = [...restored, ...this.items];
      const over = this.items.length - this.maxSize;
      if (over > 0) {
        this.items.splice(0, over);
        this.dropped += over;
      }
    } catch {
      // Unreadable storage: start empty rather than fail the host app.
    }
  }

  private persist(): void {
    if (!this.store) return;
    try {
      void Promise.resolve(this.store.set(this.storeKey, JSON.stringify(this.items))).catch(() => undefined);
    } catch {
      // Storage full or refused (private mode): the queue lives in memory only.
    }
  }
}
