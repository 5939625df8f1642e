import { describe, expect, it } from 'vitest';
import { EventQueue, type QueuedEvent } from './queue.ts';

const event = (n: number): QueuedEvent => ({ id: `e${n}`, type: 't', timestamp: n, session_id: 's', data: { n } });

describe('EventQueue', () => {
  it('keeps the newest events in order through many overflows, and sends from the oldest kept', () => {
    const queue = new EventQueue(100);
    for (let n = 0; n < 5000; n++) queue.push(event(n));
    expect(queue.size).toBe(100);
    expect(queue.dropped).toBe(4900);
    expect(queue.peek(3).map((e) => e.id)).toEqual(['e4900', 'e4901', 'e4902']);
    queue.remove(queue.peek(50));
    expect(queue.size).toBe(50);
    expect(queue.peek(1)[0]!.id).toBe('e4950');
    queue.push(event(5000));
    expect(queue.peek(100).at(-1)!.id).toBe('e5000');
  });

  it('writes to storage once per tick, with only the queued events', async () => {
    const writes: string[] = [];
    const queue = new EventQueue(3, { get: () => null, set: (_k, v) => void writes.push(v) });
    for (let n = 0; n < 10; n++) queue.push(event(n));
    expect(writes).toHaveLength(0);
    await Promise.resolve();
    expect(writes).toHaveLength(1);
    expect((JSON.parse(writes[0]!) as QueuedEvent[]).map((e) => e.id)).toEqual(['e7', 'e8', 'e9']);
  });
});
