import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { REFRESH_TRACE_EVALS_SQL, REFRESH_TRACE_SIGNALS_SQL } from '../../../worker/data/signal-sql';
import { TRACE_COLUMNS_T } from '../../../worker/data/trace-index';
import { compileTraceQuery, encodeCursor, type PageOptions } from '../../../worker/data/trace-query';
import { COUNT_PAYLOAD_SQL, UPSERT_TRACE_SPANS_SQL, UPSERT_TRACES_SQL } from '../../../worker/data/trace-write';
import type { TraceFilter, TraceSort } from '../../../worker/schemas/filters';

/**
 * EXPLAIN QUERY PLAN of the explorer's SQL, filter by filter and sort by sort: every access to
 * `traces` (t) and `trace_evals` (te) is an index search scoped to the project, never a table scan,
 * and the driving index is the one listed here. In time order (the default):
 *
 *   no filter, from/to          traces_project_start  (project_id, start_ms, trace_id): range on start
 *   sessionId                   traces_session        (project_id, session_id, start_ms, trace_id)
 *   userId                      traces_user           (project_id, user_id, start_ms, trace_id)
 *   hasError=true, status=error traces_errors         partial: error_count > 0
 *   minRetries                  traces_retries        partial: retry_count > 0
 *   feedback=down               traces_thumbs_down    partial: thumbs_down > 0
 *   feedback=negative           traces_negative       partial: negative_feedback > 0
 *   feedback=up|positive|neutral, min/maxRating
 *                               traces_feedback       partial: feedback_count > 0
 *   eval lt/gte                 trace_evals_time (project_id, name, start_ms, trace_id), or
 *                               trace_evals_score (project_id, name, score, trace_id) then a sort
 *   eval label, eval present    trace_evals_time; a label is checked in evaluations_natural
 *   min/max duration, tokens, cost
 *                               traces_duration / traces_tokens / traces_cost as a range then a
 *                               sort, or traces_project_start (the planner's choice)
 *   service, environment, model, promptVersion, tag, text, status ok|unset, hasError=false, eval missing
 *                               traces_project_start, checked row by row: dense conditions (a few
 *                               environments, statuses), or not indexable in SQLite (model matches
 *                               any model of the trace, tags are a JSON array, text is a substring).
 *
 * Other sorts walk their own index: duration traces_duration, tokens traces_tokens, cost
 * traces_cost (partial: cost_usd IS NOT NULL), score trace_evals_score.
 * Per row: scores and eval conditions read trace_evals by primary key, labels evaluations_natural.
 */

interface Case {
  label: string;
  filter: TraceFilter;
  sort?: TraceSort;
  sortEval?: string;
  /** Acceptable driving indexes. */
  index: string[];
  /** The index delivers the order: no temporary sort. */
  ordered?: boolean;
}

const CASES: Case[] = [
  { label: 'no filter', filter: {}, index: ['traces_project_start'], ordered: true },
  { label: 'from/to', filter: { from: 1, to: 2 }, index: ['traces_project_start'], ordered: true },
  { label: 'service', filter: { service: 'api' }, index: ['traces_project_start'], ordered: true },
  { label: 'environment', filter: { environment: 'prod' }, index: ['traces_project_start'], ordered: true },
  { label: 'model', filter: { model: 'gpt-4o' }, index: ['traces_project_start'], ordered: true },
  { label: 'promptVersion', filter: { promptVersion: 'v2' }, index: ['traces_project_start'], ordered: true },
  { label: 'status=error', filter: { status: 'error' }, index: ['traces_errors'], ordered: true },
  { label: 'status=ok', filter: { status: 'ok' }, index: ['traces_project_start'], ordered: true },
  { label: 'hasError=true', filter: { hasError: true }, index: ['traces_errors'], ordered: true },
  { label: 'hasError=false', filter: { hasError: false }, index: ['traces_project_start'], ordered: true },
  { label: 'minRetries', filter: { minRetries: 2 }, index: ['traces_retries'], ordered: true },
  { label: 'duration range', filter: { minDurationMs: 100, maxDurationMs: 200 }, index: ['traces_duration', 'traces_project_start'] },
  { label: 'tokens range', filter: { minTokens: 100, maxTokens: 200 }, index: ['traces_tokens', 'traces_project_start'] },
  { label: 'cost range', filter: { minCost: 0.1, maxCost: 0.2 }, index: ['traces_cost', 'traces_project_start'] },
  { label: 'tag', filter: { tag: 'vip' }, index: ['traces_project_start'], ordered: true },
  { label: 'sessionId', filter: { sessionId: 's-1' }, index: ['traces_session'], ordered: true },
  { label: 'userId', filter: { userId: 'u-1' }, index: ['traces_user'], ordered: true },
  { label: 'text', filter: { text: 'refund' }, index: ['traces_project_start'], ordered: true },
  { label: 'eval lt', filter: { evals: [{ name: 'f', maxScore: 0.5 }] }, index: ['trace_evals_time', 'trace_evals_score'] },
  { label: 'eval gte', filter: { evals: [{ name: 'f', minScore: 0.5 }] }, index: ['trace_evals_time', 'trace_evals_score'] },
  { label: 'eval label', filter: { evals: [{ name: 'f', label: 'bad' }] }, index: ['trace_evals_time'], ordered: true },
  { label: 'eval present', filter: { evals: [{ name: 'f', missing: false }] }, index: ['trace_evals_time'], ordered: true },
  { label: 'eval missing', filter: { evals: [{ name: 'f', missing: true }] }, index: ['traces_project_start'], ordered: true },
  { label: 'two evals', filter: { evals: [{ name: 'f', missing: true }, { name: 'g', minScore: 0.2 }] }, index: ['trace_evals_time', 'trace_evals_score'] },
  { label: 'feedback=up', filter: { feedback: { thumbs: 'up' } }, index: ['traces_feedback'], ordered: true },
  { label: 'feedback=down', filter: { feedback: { thumbs: 'down' } }, index: ['traces_thumbs_down'], ordered: true },
  { label: 'feedback=positive', filter: { feedback: { sentiment: 'positive' } }, index: ['traces_feedback'], ordered: true },
  { label: 'feedback=neutral', filter: { feedback: { sentiment: 'neutral' } }, index: ['traces_feedback'], ordered: true },
  { label: 'feedback=negative', filter: { feedback: { sentiment: 'negative' } }, index: ['traces_negative'], ordered: true },
  { label: 'minRating/maxRating', filter: { feedback: { minRating: 0.2, maxRating: 0.8 } }, index: ['traces_feedback'], ordered: true },
  { label: 'sort=duration', filter: {}, sort: 'duration', index: ['traces_duration'], ordered: true },
  { label: 'sort=tokens', filter: {}, sort: 'tokens', index: ['traces_tokens'], ordered: true },
  { label: 'sort=cost', filter: {}, sort: 'cost', index: ['traces_cost'], ordered: true },
  { label: 'sort=score', filter: {}, sort: 'score', sortEval: 'f', index: ['trace_evals_score'], ordered: true },
  { label: 'sort=score, eval lt', filter: { evals: [{ name: 'f', maxScore: 0.5 }] }, sort: 'score', index: ['trace_evals_score'], ordered: true },
  { label: 'sort=duration, service', filter: { service: 'api' }, sort: 'duration', index: ['traces_duration', 'traces_project_start'] },
  { label: 'sort=duration, eval lt', filter: { evals: [{ name: 'f', maxScore: 0.5 }] }, sort: 'duration', index: ['traces_duration'], ordered: true },
  { label: 'sort=tokens, sessionId', filter: { sessionId: 's-1' }, sort: 'tokens', index: ['traces_tokens', 'traces_session'] },
  { label: 'sort=cost, feedback=down', filter: { feedback: { thumbs: 'down' } }, sort: 'cost', index: ['traces_cost', 'traces_thumbs_down'] },
];

async function plan(sql: string, args: unknown[]): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...args).all<{ detail: string }>();
  return results.map((r) => r.detail);
}

const TABLES = /^(SCAN|SEARCH) (t|te|x|l|traces|trace_evals|evaluations)\b/;

/** Table accesses of a plan must be index searches that start with the project (or the trace by key). */
function expectIndexedAccess(lines: string[], context: string): void {
  const accesses = lines.filter((l) => TABLES.test(l));
  expect(accesses.length, context).toBeGreaterThan(0);
  for (const line of accesses) {
    expect(line, `${context}: ${lines.join(' | ')}`).toMatch(/^SEARCH \w+ (EXISTS )?USING (COVERING )?INDEX \w+ \(project_id=\?/);
  }
}

describe('compileTraceQuery plans', () => {
  for (const c of CASES) {
    it(`${c.label} → ${c.index.join(' or ')}`, async () => {
      for (const cursor of [undefined, encodeCursor(0.5, 'f'.repeat(32))]) {
        const page: PageOptions = { limit: 50, sort: c.sort ?? 'time', order: 'desc', sortEval: c.sortEval, cursor };
        const q = compileTraceQuery('p_plan', c.filter, page, TRACE_COLUMNS_T);
        const lines = await plan(q.sql, q.args);
        const context = `${c.label}${cursor ? ' (with cursor)' : ''}`;
        expectIndexedAccess(lines, context);
        const driving = lines.find((l) => /^SEARCH (t|te) /.test(l)) ?? '';
        expect(driving.match(/INDEX (\w+)/)?.[1], `${context}: ${lines.join(' | ')}`).toBeOneOf(c.index);
        if (c.ordered) expect(lines.join('\n'), context).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
        // The trace's scores beside each row come from trace_evals by primary key.
        expect(lines.some((l) => /^SEARCH x USING (COVERING )?INDEX sqlite_autoindex_trace_evals_1 \(project_id=\? AND trace_id=\?\)$/.test(l)), context).toBe(true);
      }
    });
  }

  it('looks up the traces of a label condition by key, not by walking traces', async () => {
    const q = compileTraceQuery('p_plan', { evals: [{ name: 'f', label: 'bad' }, { name: 'g', label: 'ok' }] }, { limit: 50, sort: 'duration', order: 'desc' }, 't.trace_id');
    const lines = await plan(q.sql, q.args);
    expectIndexedAccess(lines, 'labels');
    expect(lines.filter((l) => /^SEARCH l /.test(l)).every((l) => l.includes('evaluations_natural (project_id=? AND trace_id=?)'))).toBe(true);
  });
});

describe('signal and ingest write plans', () => {
  const id = 'a'.repeat(32);
  const writes: Record<string, [string, unknown[]]> = {
    REFRESH_TRACE_EVALS_SQL: [REFRESH_TRACE_EVALS_SQL, ['p_plan', JSON.stringify([id])]],
    REFRESH_TRACE_SIGNALS_SQL: [REFRESH_TRACE_SIGNALS_SQL, ['p_plan', JSON.stringify([id])]],
    UPSERT_TRACE_SPANS_SQL: [UPSERT_TRACE_SPANS_SQL, ['p_plan', JSON.stringify([[id, 1, 2, 'b'.repeat(16), '{}', '[]']]), JSON.stringify({ [id]: 1 })]],
    UPSERT_TRACES_SQL: [UPSERT_TRACES_SQL, ['p_plan', JSON.stringify([[id, 2]]), 0]],
    COUNT_PAYLOAD_SQL: [COUNT_PAYLOAD_SQL, ['p_plan', JSON.stringify([[id, 2]]), 'k', 0]],
  };
  for (const [name, [sql, args]] of Object.entries(writes)) {
    it(`${name} reaches traces by key, never by walking the project`, async () => {
      const lines = await plan(sql, args);
      const traceAccess = lines.filter((l) => /^(SCAN|SEARCH) (t|ts|traces|trace_spans)\b/.test(l));
      for (const line of traceAccess) expect(line, lines.join(' | ')).toMatch(/\(project_id=\? AND trace_id=\?\)/);
      for (const line of lines.filter((l) => /^SCAN (traces|trace_spans|payload_objects|evaluations|feedback|trace_evals|ts|e|f|t)\b/.test(l))) {
        throw new Error(`${name} scans a table: ${line}`);
      }
    });
  }
});
