// Keeps a bounded number of database writes in flight while the next batch is generated,
// so Node (generating, encoding COPY text) and PostgreSQL (parsing, indexing) work at the
// same time instead of taking turns, and memory stays bounded at a few batches.
import { setImmediate as nextTurn } from 'node:timers/promises';

export class WriteQueue {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly concurrency: number) {}

  /** Waits until fewer than `concurrency` writes are running, then starts this one without waiting for it. */
  async enqueue(write: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.rethrow();
    // Caught here and rethrown on the next enqueue or drain: a rejection nobody awaits yet
    // would otherwise crash the process as unhandled.
    const running: Promise<void> = write()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}

/**
 * Lets the COPY stream in flight make progress: generation is synchronous, and without a
 * turn of the event loop now and then the socket would sit idle until the batch is done.
 */
export function yieldToWrites(): Promise<void> {
  return nextTurn();
}

export class Progress {
  private written = 0;
  private nextReport: number;
  private readonly started = Date.now();

  readonly target: number;

  constructor(
    target: number,
    private readonly report: ((line: string) => void) | undefined,
  ) {
    this.target = Math.max(1, target);
    this.nextReport = this.target / 10;
  }

  get events(): number {
    return this.written;
  }

  add(rows: number): void {
    this.written += rows;
    if (this.written < this.nextReport) return;
    while (this.nextReport <= this.written) this.nextReport += this.target / 10;
    this.report?.(
      `events ${format(this.written)} / ${format(this.target)} (${format(Math.round(this.rate() / 1000))}k/s)`,
    );
  }

  rate(): number {
    return this.written / Math.max(0.001, (Date.now() - this.started) / 1000);
  }

  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}

export const format = (n: number): string => n.toLocaleString('en-US');
