import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { compileTraceFilter } from '../../../worker/data/trace-query';
import { scopeSql } from '../../../worker/insights/labels';

const plan = async (sql: string, args: unknown[]) =>
  ((await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...args).all()).results as { detail: string }[]).map((r) => r.detail);

describe('label scope over a trace filter', () => {
  // With the time range as a correlated condition, SQLite scans the range once per annotation
  // (measured: 142 s for 100k annotations); as a list of trace ids it reads the range once.
  it('reads the filter’s time range once, as a list, instead of once per annotation', async () => {
    const where = compileTraceFilter('p', { from: 0, to: 10, model: 'gpt-4o' });
    const scoped = scopeSql('a', { traces: where });
    const detail = await plan(`SELECT a.trace_id FROM annotations a WHERE a.project_id = ?${scoped.sql}`, ['p', ...scoped.args]);
    expect(detail.some((d) => /^(REUSE )?LIST SUBQUERY/.test(d))).toBe(true);
    expect(detail.filter((d) => d.includes('traces_project_start'))).toEqual(['SEARCH t USING INDEX traces_project_start (project_id=? AND start_ms>? AND start_ms<?)']);
    // Traces are read by that one search only: no lookup of a trace per annotation.
    expect(detail.filter((d) => /^(SEARCH|SCAN) t /.test(d))).toHaveLength(1);
  });
});
