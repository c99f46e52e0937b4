import type { z } from 'zod';
import type { ItemResult, SignalBatchResponse } from '../schemas/signals';

/** Validates each item on its own, so one bad item is reported and the others go on. */
export function validateItems<S extends z.ZodType>(items: unknown[], schema: S): { valid: { index: number; item: z.infer<S> }[]; rejected: ItemResult[] } {
  const valid: { index: number; item: z.infer<S> }[] = [];
  const rejected: ItemResult[] = [];
  items.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      valid.push({ index, item: parsed.data });
      return;
    }
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = details[0];
    rejected.push({ index, status: 'rejected', error: { message: first ? `${first.path || 'item'}: ${first.message}` : 'invalid item', details } });
  });
  return { valid, rejected };
}

export function batchResponse(stored: ItemResult[], rejected: ItemResult[]): SignalBatchResponse {
  const results = [...stored, ...rejected].sort((a, b) => a.index - b.index);
  return { stored: stored.length, rejected: rejected.length, results };
}
