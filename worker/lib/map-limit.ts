/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight, results in input order. A Worker
 * has a handful of simultaneous connections; firing hundreds of reads at once only queues them
 * behind each other and holds every result in memory meanwhile.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
