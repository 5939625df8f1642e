/**
 * Polls until `probe` answers something: writers, workers and queues commit asynchronously,
 * so a test waits for the effect it expects rather than for a fixed time.
 */
export async function until<T>(probe: () => Promise<T | undefined>, seconds = 15): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
