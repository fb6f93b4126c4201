/**
 * Maps items with at most `workers` calls in flight. Unlike mapping every item through p-limit
 * up front, it never creates more than `workers` pending promises, so memory does not grow with
 * the number of items (8,000 pairs cost the same working set as 2,000).
 */
export async function mapWithWorkers<T, R>(
  items: readonly T[],
  workers: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, worker));
  return results;
}
