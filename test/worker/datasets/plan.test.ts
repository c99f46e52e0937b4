import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EXPORT_PAGE_SQL } from '../../../worker/data/dataset-reads';

describe('export page query plan', () => {
  it('picks rows from the covering index and reads only the chosen rows by seq', async () => {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${EXPORT_PAGE_SQL}`).bind('p', 'd', 0, 1, 1000, 1 << 20).all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join('\n');
    expect(plan).toContain('USING COVERING INDEX dataset_records_scan');
    expect(plan).toMatch(/SEARCH r USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan).not.toMatch(/SCAN r\b/);
  });
});
