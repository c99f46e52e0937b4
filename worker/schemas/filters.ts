import { z } from 'zod';
import { TimeInput } from './common';

/**
 * The trace filter language, shared by the explorer (`GET /api/v1/traces`), the app's filter bar
 * and automation rules. A filter is a plain JSON object; every condition present must hold.
 */

export const EvalCondition = z
  .object({
    /** Evaluator name, e.g. `faithfulness`. */
    name: z.string().min(1).max(128),
    /** Score bounds: `minScore ≤ score < maxScore` is written `{ minScore, maxScore }`; either may be absent. */
    minScore: z.number().optional(),
    maxScore: z.number().optional(),
    label: z.string().max(256).optional(),
    /** True: the trace has no result of this evaluator. False: it has one. */
    missing: z.boolean().optional(),
  })
  .refine((c) => !(c.missing && (c.minScore !== undefined || c.maxScore !== undefined || c.label !== undefined)), {
    message: 'an evaluator condition with `missing` cannot also bound the score or label',
  });
export type EvalCondition = z.infer<typeof EvalCondition>;

export const FeedbackCondition = z.object({
  thumbs: z.enum(['up', 'down']).optional(),
  sentiment: z.enum(['positive', 'neutral', 'negative']).optional(),
  /** Ratings normalized to 0..1 by their scale. */
  minRating: z.number().min(0).max(1).optional(),
  maxRating: z.number().min(0).max(1).optional(),
});
export type FeedbackCondition = z.infer<typeof FeedbackCondition>;

const text = z.string().min(1).max(256);
const count = z.number().int().min(0);
const amount = z.number().min(0);

export const TraceFilter = z.object({
  from: TimeInput.optional(),
  to: TimeInput.optional(),
  service: text.optional(),
  environment: text.optional(),
  model: text.optional(),
  promptVersion: text.optional(),
  status: z.enum(['unset', 'ok', 'error']).optional(),
  hasError: z.boolean().optional(),
  minRetries: count.optional(),
  minDurationMs: amount.optional(),
  maxDurationMs: amount.optional(),
  minTokens: count.optional(),
  maxTokens: count.optional(),
  minCost: amount.optional(),
  maxCost: amount.optional(),
  tag: text.optional(),
  sessionId: text.optional(),
  userId: text.optional(),
  /** Case-insensitive substring of the input or output preview. */
  text: z.string().min(2).max(200).optional(),
  evals: z.array(EvalCondition).max(5).optional(),
  feedback: FeedbackCondition.optional(),
});
export type TraceFilter = z.infer<typeof TraceFilter>;

export const TraceSort = z.enum(['time', 'duration', 'cost', 'tokens', 'score']);
export type TraceSort = z.infer<typeof TraceSort>;

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const num = z.coerce.number();
const int = z.coerce.number().int().min(0);

/**
 * `eval=<name>:<op>[:<value>]`, repeatable, with ops `lt` (score below), `gte` (score at least), `label`,
 * `missing` and `present`. Example: `eval=faithfulness:lt:0.5`.
 */
const EvalParam = z.string().transform((raw, ctx): EvalCondition => {
  const [name, op, ...rest] = raw.split(':');
  const value = rest.join(':');
  const score = Number(value);
  const bad = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `eval "${raw}": ${message}` });
    return z.NEVER;
  };
  if (!name) return bad('needs an evaluator name');
  switch (op) {
    case 'lt':
      return Number.isFinite(score) && value !== '' ? { name, maxScore: score } : bad('lt needs a number');
    case 'gte':
      return Number.isFinite(score) && value !== '' ? { name, minScore: score } : bad('gte needs a number');
    case 'label':
      return value ? { name, label: value } : bad('label needs a value');
    case 'missing':
      return { name, missing: true };
    case 'present':
      return { name, missing: false };
    default:
      return bad('op must be lt, gte, label, missing or present');
  }
});

/** The query-string form of a filter plus sort and paging, as `GET /api/v1/traces` takes it. */
export const TraceQueryParams = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  sort: TraceSort.default('time'),
  order: z.enum(['asc', 'desc']).default('desc'),
  /** The evaluator whose score `sort=score` orders by; defaults to the first `eval` condition that is not `missing`. */
  sortEval: z.string().max(128).optional(),
  from: TimeInput.optional(),
  to: TimeInput.optional(),
  service: text.optional(),
  environment: text.optional(),
  model: text.optional(),
  promptVersion: text.optional(),
  status: z.enum(['unset', 'ok', 'error']).optional(),
  hasError: bool.optional(),
  minRetries: int.optional(),
  minDurationMs: num.pipe(amount).optional(),
  maxDurationMs: num.pipe(amount).optional(),
  minTokens: int.optional(),
  maxTokens: int.optional(),
  minCost: num.pipe(amount).optional(),
  maxCost: num.pipe(amount).optional(),
  tag: text.optional(),
  sessionId: text.optional(),
  userId: text.optional(),
  text: z.string().min(2).max(200).optional(),
  eval: z.union([EvalParam, z.array(EvalParam).max(5)]).optional(),
  feedback: z.enum(['up', 'down', 'positive', 'neutral', 'negative']).optional(),
  minRating: num.pipe(z.number().min(0).max(1)).optional(),
  maxRating: num.pipe(z.number().min(0).max(1)).optional(),
});
export type TraceQueryParams = z.infer<typeof TraceQueryParams>;

/** Splits parsed query params into the filter object and the paging/sort options. */
export function filterFromParams(p: TraceQueryParams): {
  filter: TraceFilter;
  page: { cursor?: string; limit: number; sort: TraceSort; order: 'asc' | 'desc'; sortEval?: string };
} {
  const { cursor, limit, sort, order, sortEval, eval: evalParam, feedback, minRating, maxRating, ...rest } = p;
  const evals = evalParam === undefined ? undefined : Array.isArray(evalParam) ? evalParam : [evalParam];
  const fb: FeedbackCondition = {};
  if (feedback === 'up' || feedback === 'down') fb.thumbs = feedback;
  else if (feedback) fb.sentiment = feedback;
  if (minRating !== undefined) fb.minRating = minRating;
  if (maxRating !== undefined) fb.maxRating = maxRating;
  const filter: TraceFilter = { ...rest, ...(evals ? { evals } : {}), ...(Object.keys(fb).length ? { feedback: fb } : {}) };
  return { filter, page: { cursor, limit, sort, order, sortEval: sortEval ?? evals?.find((e) => !e.missing)?.name } };
}

/**
 * Rows of the sort index one `text` search looks at per request. A substring test cannot use an
 * index, so a rare needle would otherwise walk the whole project; past this many rows the page
 * ends with what it found, `partial: true` and a cursor at the last row looked at.
 */
export const TEXT_SCAN_ROWS = 5000;
