import { z } from 'zod';
import { TimeInput } from './common';

/** Items per request to `/api/v1/evaluations` and `/api/v1/feedback`. */
export const MAX_SIGNAL_ITEMS = 1000;

const traceId = z.string().regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hex characters').transform((s) => s.toLowerCase());
const spanId = z.string().regex(/^[0-9a-fA-F]{16}$/, 'a span id is 16 hex characters').transform((s) => s.toLowerCase());
const clientId = z.string().min(1).max(128);

export const EvaluationItem = z
  .object({
    id: clientId.optional(),
    traceId,
    spanId: spanId.optional(),
    name: z.string().min(1).max(128),
    score: z.number().finite().optional(),
    label: z.string().min(1).max(256).optional(),
    explanation: z.string().max(10_000).optional(),
    evaluatorKind: z.enum(['llm', 'code', 'human']).default('llm'),
    evaluatorVersion: z.string().max(128).optional(),
    timestamp: TimeInput.optional(),
  })
  .refine((e) => e.score !== undefined || e.label !== undefined, { message: 'an evaluation needs a score or a label', path: ['score'] });
export type EvaluationItem = z.infer<typeof EvaluationItem>;

export const FeedbackItem = z
  .object({
    id: clientId.optional(),
    traceId,
    kind: z.enum(['thumbs', 'rating']),
    value: z.union([z.enum(['up', 'down']), z.number().finite()]),
    /** The top of the rating scale (e.g. 5 for 1–5 stars); ratings are stored normalized to 0..1 too. */
    scale: z.number().positive().optional(),
    comment: z.string().max(10_000).optional(),
    sentiment: z.enum(['positive', 'neutral', 'negative']).optional(),
    endUserId: z.string().max(256).optional(),
    timestamp: TimeInput.optional(),
  })
  .superRefine((f, ctx) => {
    if (f.kind === 'thumbs' && typeof f.value !== 'string') ctx.addIssue({ code: 'custom', path: ['value'], message: 'thumbs feedback takes "up" or "down"' });
    if (f.kind === 'rating') {
      if (typeof f.value !== 'number') ctx.addIssue({ code: 'custom', path: ['value'], message: 'a rating takes a number' });
      else if (f.value < 0 || f.value > (f.scale ?? 1)) ctx.addIssue({ code: 'custom', path: ['value'], message: `a rating must be between 0 and its scale (${f.scale ?? 1})` });
    }
  });
export type FeedbackItem = z.infer<typeof FeedbackItem>;

/** The envelope; items are validated one by one so one bad item never drops the others. */
export const SignalBatch = z.object({
  items: z.array(z.unknown()).min(1, 'send at least one item').max(MAX_SIGNAL_ITEMS, `at most ${MAX_SIGNAL_ITEMS} items per request`),
});

export interface ItemResult {
  index: number;
  status: 'stored' | 'rejected';
  /** Sieve's id of the stored signal. */
  id?: string;
  error?: { message: string; details: { path: string; message: string }[] };
}

export interface SignalBatchResponse {
  stored: number;
  rejected: number;
  results: ItemResult[];
}

/** One evaluation as the API returns it. */
export interface EvaluationResponse {
  id: string;
  traceId: string;
  spanId: string | null;
  name: string;
  score: number | null;
  label: string | null;
  explanation: string | null;
  evaluatorKind: 'llm' | 'code' | 'human';
  evaluatorVersion: string | null;
  source: 'api' | 'otel';
  timestamp: string;
}

export interface FeedbackResponse {
  id: string;
  traceId: string;
  kind: 'thumbs' | 'rating';
  value: 'up' | 'down' | number;
  scale: number | null;
  comment: string | null;
  sentiment: 'positive' | 'neutral' | 'negative' | null;
  endUserId: string | null;
  timestamp: string;
}
