import { z } from 'zod';
import { countTracesInRange, listTraces } from '../data/trace-index';
import type { ProjectEnv } from '../data/shards';
import { BadRequest } from '../lib/errors';
import type { PreviewBody } from '../schemas/automations';
import type { TraceSummary } from '../schemas/traces';
import { compileRule } from './compile';
import { decide } from './sample';
import { loadSnapshots, usesSpanAttributes, type SnapshotMeter } from './snapshots';

/**
 * The work one preview request may do (issue #18, item 5). Past any of them the answer is
 * `partial: true` with the counts so far and a cursor that continues. Checked between pages, so one
 * page (`PAGE`) is the most a request goes over.
 */
export interface PreviewBudget {
  /** Traces looked at (index rows read). */
  traces: number;
  /** R2 objects read for span attributes (one D1 lookup per trace comes with them). */
  r2Reads: number;
  /** Wall time, ms. */
  ms: number;
}

export const PREVIEW_BUDGET: PreviewBudget = { traces: 2000, r2Reads: 300, ms: 1500 };
/** Traces per page: small when each costs a span read, so the budget is checked often. */
const PAGE = { index: 200, spans: 25 } as const;
/** Examples of sampled traces per answer. */
const SAMPLE = 20;
/** `total` counts at most this many traces; at the cap it is a lower bound (`totalIsLowerBound`). */
export const PREVIEW_COUNT_CAP = 100_000;

/** What a continuing request needs: the fixed window, where to go on, and the running totals. */
const PreviewCursor = z.strictObject({
  id: z.string().min(1).max(64),
  from: z.number().int(),
  to: z.number().int(),
  after: z.string().min(1).max(256),
  total: z.number().int().nonnegative(),
  scanned: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
  sampled: z.number().int().nonnegative(),
});
type PreviewCursor = z.infer<typeof PreviewCursor>;

const encode = (c: PreviewCursor) => btoa(JSON.stringify(c)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function decode(cursor: string): PreviewCursor {
  try {
    const parsed = PreviewCursor.safeParse(JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))));
    if (parsed.success && parsed.data.from < parsed.data.to) return parsed.data;
  } catch {
    // reported below
  }
  throw new BadRequest('The preview cursor is not valid; run the preview again without it.');
}

export interface PreviewOptions {
  now?: number;
  budget?: PreviewBudget;
  /** Wall clock for the time budget (tests pass a fake one). */
  clock?: () => number;
}

/**
 * Dry run: how many traces of the last `hours` would match and be sampled, newest first, with
 * examples. Counts are running totals over the cursors followed so far; `sample` holds this
 * answer's examples only.
 */
export async function previewRule(env: ProjectEnv, projectId: string, body: PreviewBody, opts: PreviewOptions = {}) {
  const clock = opts.clock ?? Date.now;
  const budget = opts.budget ?? PREVIEW_BUDGET;
  const started = clock();
  const resumed = body.cursor ? decode(body.cursor) : null;
  if (resumed && body.id && body.id !== resumed.id) throw new BadRequest('The preview cursor belongs to a preview with another rule id.');
  const now = opts.now ?? Date.now();
  const id = resumed?.id ?? body.id ?? crypto.randomUUID();
  const range = resumed ? { from: resumed.from, to: resumed.to } : { from: now - body.hours * 3_600_000, to: now + 1 };
  const total = resumed?.total ?? (await countTracesInRange(env.shard, projectId, range, PREVIEW_COUNT_CAP));

  const rule = { id, sampling: body.sampling, condition: body.condition };
  const compiled = compileRule(rule);
  const withAttributes = usesSpanAttributes(body.condition);
  const meter: SnapshotMeter = { r2Reads: 0 };
  const sample: TraceSummary[] = [];
  let { scanned, matched, sampled } = resumed ?? { scanned: 0, matched: 0, sampled: 0 };
  let here = 0;
  let after: string | undefined = resumed?.after;
  let more = true;
  do {
    const limit = Math.min(withAttributes ? PAGE.spans : PAGE.index, budget.traces - here);
    const page = await listTraces(env.shard, projectId, range, { cursor: after, limit, sort: 'time', order: 'desc' });
    const snapshots = await loadSnapshots(env, projectId, page.data, withAttributes, meter);
    page.data.forEach((t, i) => {
      const d = decide(rule, compiled, snapshots[i]);
      if (d.matched) matched++;
      if (d.sampled) {
        sampled++;
        if (sample.length < SAMPLE) sample.push(t);
      }
    });
    here += page.data.length;
    after = page.nextCursor ?? undefined;
    more = !!after;
  } while (more && here < budget.traces && meter.r2Reads < budget.r2Reads && clock() - started < budget.ms);
  scanned += here;

  const cursor = more && after ? encode({ id, ...range, after, total, scanned, matched, sampled }) : null;
  return {
    id,
    hours: body.hours,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    scanned,
    total: Math.max(total, scanned),
    totalIsLowerBound: total >= PREVIEW_COUNT_CAP,
    matched,
    sampled,
    partial: !!cursor,
    cursor,
    quota: body.quota ?? null,
    sample,
  };
}
