import { filterFromParams, TraceQueryParams, type EvalCondition, type TraceFilter } from '$shared/filters';
import { formatEval, readChips, type Chip } from './chips';

/**
 * A filter object (`TraceFilter`, as rules store it) and its query-string form (as chips edit it).
 * The way back is the API's own parser, so a chip means in a rule exactly what it means in the explorer.
 */

/** An evaluator condition as the single-aspect conditions the query string has (`lt`, `gte`, `label`, …). */
function splitEval(e: EvalCondition): EvalCondition[] {
  if (e.missing !== undefined) return [{ name: e.name, missing: e.missing }];
  const out: EvalCondition[] = [];
  if (e.minScore !== undefined) out.push({ name: e.name, minScore: e.minScore });
  if (e.maxScore !== undefined) out.push({ name: e.name, maxScore: e.maxScore });
  if (e.label !== undefined) out.push({ name: e.name, label: e.label });
  // `{ name }` alone holds when the trace has a result: the query string says `present`.
  return out.length ? out : [{ name: e.name, missing: false }];
}

function evalParam(e: EvalCondition): string {
  if (e.missing !== undefined) return formatEval({ name: e.name, op: e.missing ? 'missing' : 'present', arg: '' });
  if (e.minScore !== undefined) return formatEval({ name: e.name, op: 'gte', arg: String(e.minScore) });
  if (e.maxScore !== undefined) return formatEval({ name: e.name, op: 'lt', arg: String(e.maxScore) });
  return formatEval({ name: e.name, op: 'label', arg: e.label ?? '' });
}

/** The query-string form of a filter object. */
export function filterToParams(f: TraceFilter): URLSearchParams {
  const q = new URLSearchParams();
  const { evals, feedback, ...plain } = f;
  for (const [k, v] of Object.entries(plain)) if (v !== undefined) q.set(k, String(v));
  if (feedback?.thumbs) q.set('feedback', feedback.thumbs);
  else if (feedback?.sentiment) q.set('feedback', feedback.sentiment);
  if (feedback?.minRating !== undefined) q.set('minRating', String(feedback.minRating));
  if (feedback?.maxRating !== undefined) q.set('maxRating', String(feedback.maxRating));
  for (const e of evals ?? []) for (const part of splitEval(e)) q.append('eval', evalParam(part));
  return q;
}

/** The filter object of filter parameters, read as the API reads them; a message when they do not parse. */
export function paramsToFilter(q: URLSearchParams): { filter: TraceFilter } | { problem: string } {
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key);
    raw[key] = key === 'eval' && all.length > 1 ? all : all[0];
  }
  const parsed = TraceQueryParams.safeParse(raw);
  if (!parsed.success) return { problem: parsed.error.issues.map((i) => i.message).join('; ') };
  return { filter: filterFromParams(parsed.data).filter };
}

/** Canonical JSON: keys sorted, evaluator conditions split as the query string has them. */
function canonical(f: TraceFilter): string {
  const norm = { ...f, ...(f.evals ? { evals: f.evals.flatMap(splitEval) } : {}) };
  return JSON.stringify(norm, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

/**
 * The chips of a filter object, or null when chips cannot say it exactly (a rule written through the
 * API with, say, both thumbs and sentiment in one condition): such a condition is shown as JSON.
 */
export function filterChips(f: TraceFilter): Chip[] | null {
  const q = filterToParams(f);
  const back = paramsToFilter(q);
  if (!('filter' in back) || canonical(back.filter) !== canonical(f)) return null;
  return readChips(q);
}
