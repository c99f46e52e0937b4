import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers';
import { makeQueue, queueProject } from '../queues/fixtures';

const N = 50_000;
describe('bench', () => {
  it('times the segment insights over 100k annotations', async () => {
    const p = await queueProject();
    const { queueId, queue } = await makeQueue(p, { reviewersPerItem: 2 }, 0);
    const now = Date.now();
    const start = now - 89 * 86_400_000;
    const step = Math.floor((89 * 86_400_000) / N);
    const t0 = Date.now();
    await env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1})
      INSERT INTO traces (project_id, trace_id, name, model, models, prompt_version, environment, service, status, start_ms, end_ms, duration_ms, tags)
      SELECT ?, printf('%032x', i), 'chat', 'model-' || (i % 5), '[]', 'v' || (i % 4), CASE WHEN i % 3 = 0 THEN 'prod' ELSE 'staging' END, 'svc', 'ok',
             ? + i * ?, ? + i * ? + 100, 100, CASE WHEN i % 7 = 0 THEN '["beta"]' WHEN i % 7 = 1 THEN '["beta","vip"]' ELSE '[]' END FROM n`)
      .bind(p.projectId, start, step, start, step).run();
    for (const r of [0, 1]) {
      await env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1})
        INSERT INTO annotations (id, project_id, queue_id, trace_id, reviewer_id, reviewer_name, schema_id, schema_version, "values", created_at, updated_at)
        SELECT printf('a%d-%d', ${r}, i), ?, ?, printf('%032x', i), 'rev-${r}', '', ?, ?,
               json_object('verdict', CASE WHEN (i * 7 + ${r}) % 10 < 3 THEN 'fail' ELSE 'pass' END,
                           'failure_modes', CASE WHEN (i * 7) % 10 < 3 THEN json_array(CASE WHEN i % 2 = 0 THEN 'irrelevant' ELSE 'tone_mismatch' END) ELSE json_array() END),
               ?, ? FROM n`)
        .bind(p.projectId, queueId, queue.schemaId, queue.schemaVersion, now, now).run();
    }
    await env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1})
      INSERT INTO trace_evals (project_id, trace_id, name, score, start_ms) SELECT ?, printf('%032x', i), 'faithfulness', (i % 100) / 100.0, ? + i * ? FROM n`)
      .bind(p.projectId, start, step).run();
    console.log('seeded in', Date.now() - t0, 'ms');
    const cases: [string, string][] = [
      ['trends week', '/api/v1/insights/trends'],
      ['trends day split model', '/api/v1/insights/trends?bucket=day&splitBy=model'],
      ['trends split tag + env filter', '/api/v1/insights/trends?splitBy=tag&environment=prod'],
      ['trends queue', `/api/v1/insights/trends?queueId=${queueId}&splitBy=promptVersion`],
      ['compare model', '/api/v1/insights/compare?dimension=model&a=model-0&b=model-1'],
      ['compare filters', `/api/v1/insights/compare?aFilter=${encodeURIComponent('{"promptVersion":"v1"}')}&bFilter=${encodeURIComponent('{"tag":"beta"}')}`],
      ['dimensions', '/api/v1/insights/dimensions'],
    ];
    for (const [name, path] of cases) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = Date.now();
        const res = await call('GET', path, p.admin);
        expect(res.status, res.text.slice(0, 300)).toBe(200);
        times.push(Date.now() - t);
        if (i === 0) console.log(name, JSON.stringify(res.body).length, 'bytes', JSON.stringify(res.body.overall?.total ?? res.body.a?.tally ?? res.body.dimensions?.model?.values?.[0]).slice(0, 200));
      }
      times.sort((a, b) => a - b);
      console.log(name, 'median', times[3], 'max', times[6], times.join(','));
    }
  }, 600_000);
});
