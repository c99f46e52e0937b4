import { DatabaseSync } from 'node:sqlite';
import { LOCAL_DEFAULTS } from '../../worker/cli/config';
import { startLocalServer } from '../../worker/cli/local-server';
import { DEFAULT_SCHEMA, LabelFields } from '../../worker/schemas/label-schemas';
import { createAdminKey } from './queue';
import { d1File, projectD1File } from './seed-traces';
import { mulberry32 as rng } from '../../worker/cli/synth';

/**
 * Issue #8's insights benchmark: 100,000 annotations (two queues with 2 and 3 reviewers per item, the
 * starter schema's `verdict` and `failure_modes`, some adjudications) and evaluations of two evaluators
 * in two versions, over 50,000 traces spread across 90 days, seeded straight into local D1; then the
 * materialized labels are built (POST /api/v1/insights/labels/rebuild, timed on its own: seeding bypasses
 * the write paths that keep them) and p50/p95 of every insights query is measured through the HTTP API,
 * sequential. Goal: p95 < 300 ms.
 */

const DAY = 24 * 3600_000;
const TRACES = 50_000;
/** Items per queue: 25,001 × 2 reviews + 16,666 × 3 reviews = 100,000 annotations. */
const QUEUES = [
  { id: 'bench-queue-pairs', name: 'Support answers (2 reviewers)', items: 25_001, reviewers: 2 },
  { id: 'bench-queue-triples', name: 'Travel agent (3 reviewers)', items: 16_666, reviewers: 3 },
] as const;
const REVIEWERS = 8;
export const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4', 'gemini-2.5-flash'];
const PROMPTS = ['v1', 'v2', 'v3', 'v4'];
const SERVICES = ['support-bot', 'docs-rag', 'travel-agent'];
const MODES = ['irrelevant', 'hallucinated_reference', 'tone_mismatch', 'overly_verbose', 'incomplete_reasoning'];


export interface InsightsSeed {
  annotations: number;
  adjudications: number;
  evaluations: number;
  queueIds: string[];
}

/**
 * Writes the data set into the local D1 file (no server running). Failure is a latent property of
 * each trace that depends on model and prompt version; reviewers see it with 80–95 % accuracy, the
 * `faithfulness` score (versions v1 and v2, v2 sharper) and the label-only `correctness` judge
 * with noise, so calibration, agreement, trends and comparisons all have something real to find.
 */
export function seedInsights(stateDir: string, projectId: string, now: number): InsightsSeed {
  // People and memberships are control data; everything else goes to the project's shard.
  const control = new DatabaseSync(d1File(stateDir));
  const db = new DatabaseSync(projectD1File(stateDir, projectId));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  const r = rng(8);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  // The starter schema's id, as `defaultSchemaId` derives it (that module needs Workers types).
  const schemaId = `starter-${projectId}`;
  const out: InsightsSeed = { annotations: 0, adjudications: 0, evaluations: 0, queueIds: QUEUES.map((q) => q.id) };

  db.exec('BEGIN');
  db.prepare(`INSERT OR IGNORE INTO label_schemas (id, project_id, name, description, version) VALUES (?, ?, ?, ?, 1)`).run(schemaId, projectId, DEFAULT_SCHEMA.name, DEFAULT_SCHEMA.description);
  db.prepare(`INSERT OR IGNORE INTO label_schema_versions (schema_id, version, project_id, fields, created_at) VALUES (?, 1, ?, ?, ?)`).run(
    schemaId, projectId, JSON.stringify(LabelFields.parse(DEFAULT_SCHEMA.fields)), now - 100 * DAY,
  );
  const reviewers = Array.from({ length: REVIEWERS }, (_, i) => ({ id: `bench-reviewer-${i}`, name: `Reviewer ${i}`, accuracy: 0.8 + (0.15 * i) / (REVIEWERS - 1) }));
  for (const u of reviewers) {
    control.prepare(`INSERT INTO users (id, email, name) VALUES (?, ?, ?)`).run(u.id, `${u.id}@bench.local`, u.name);
    control.prepare(`INSERT INTO memberships (project_id, user_id, role) VALUES (?, ?, 'reviewer')`).run(projectId, u.id);
  }
  const admin = control.prepare(`SELECT u.id, u.name FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.project_id = ? AND m.role = 'admin'`).get(projectId) as { id: string; name: string };
  for (const q of QUEUES) {
    db.prepare(`INSERT INTO annotation_queues (id, project_id, name, schema_id, schema_version, reviewers_per_item, lease_seconds, created_at, updated_at)
      VALUES (?, ?, ?, ?, 1, ?, 900, ?, ?)`).run(q.id, projectId, q.name, schemaId, q.reviewers, now - 91 * DAY, now - 91 * DAY);
  }
  db.exec('COMMIT');

  const insertTrace = db.prepare(`INSERT INTO traces (project_id, trace_id, name, service, environment, model, models, prompt_version,
    status, span_count, llm_call_count, start_ms, end_ms, duration_ms, tags, input_preview, output_preview, eval_count)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok', 4, 2, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEval = db.prepare(`INSERT INTO evaluations (id, project_id, trace_id, span_id, name, evaluator_version, evaluator_kind, score, label, source, timestamp_ms)
    VALUES (?, ?, ?, '', ?, ?, 'llm', ?, ?, 'api', ?)`);
  const insertTraceEval = db.prepare('INSERT OR REPLACE INTO trace_evals (project_id, trace_id, name, score, label, start_ms) VALUES (?, ?, ?, ?, ?, ?)');
  const insertItem = db.prepare(`INSERT INTO queue_items (queue_id, trace_id, project_id, status, reviews_done, added_at, rev) VALUES (?, ?, ?, 'done', ?, ?, 1)`);
  const insertAnnotation = db.prepare(`INSERT INTO annotations (id, project_id, queue_id, trace_id, reviewer_id, reviewer_name, schema_id, schema_version, "values", created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`);
  const insertAdjudication = db.prepare(`INSERT INTO adjudications (queue_id, trace_id, project_id, schema_id, schema_version, "values", adjudicated_by, adjudicated_by_name, created_at, updated_at)
    VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`);

  const clamp = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
  let queueIndex = 0;
  let itemInQueue = 0;
  const chunk = 10_000;
  for (let base = 0; base < TRACES; base += chunk) {
    db.exec('BEGIN');
    for (let i = base; i < Math.min(TRACES, base + chunk); i++) {
      const traceId = hex(32);
      const start = Math.floor(now - r() * 90 * DAY);
      const model = MODELS[Math.floor(r() * MODELS.length)];
      const prompt = PROMPTS[Math.floor(r() * PROMPTS.length)];
      const pFail = 0.2 + (model === 'gpt-4o-mini' ? 0.12 : model === 'gemini-2.5-flash' ? 0.06 : 0) - 0.04 * PROMPTS.indexOf(prompt);
      const failed = r() < pFail;
      const modes = failed ? MODES.filter((_, k) => r() < (k === PROMPTS.indexOf(prompt) % MODES.length ? 0.7 : 0.2)) : [];
      if (failed && !modes.length) modes.push(MODES[Math.floor(r() * MODES.length)]);
      const duration = 500 + Math.floor(r() * 8000);
      const tags = ['vip', 'mobile', 'eu'].filter(() => r() < 0.2);
      // Evaluations: faithfulness v1 before day 45, v2 after, both for 30 % (a re-run); correctness label-only.
      const evals: [string, string, number | null, string][] = [];
      const faith = (version: string) => {
        const noise = version === 'v2' ? 0.15 : 0.28;
        const score = clamp((failed ? 0.35 : 0.78) + (r() - 0.5) * 2 * noise);
        evals.push(['faithfulness', version, score, score < 0.5 ? 'fail' : 'pass']);
      };
      const old = start < now - 45 * DAY;
      if (old || r() < 0.3) faith('v1');
      if (!old || r() < 0.3) faith('v2');
      if (r() < 0.6) evals.push(['correctness', '2025-06', null, (r() < 0.8) === failed ? 'fail' : 'pass']);
      insertTrace.run(projectId, traceId, `${SERVICES[i % 3]} turn`, SERVICES[i % 3], r() < 0.8 ? 'production' : 'staging', model, JSON.stringify([model]), prompt,
        start, start + duration, duration, JSON.stringify(tags), `Question #${i}`, `Answer #${i}`, evals.length);
      for (const [name, version, score, label] of evals) {
        insertEval.run(`${traceId}-${name}-${version}`, projectId, traceId, name, version, score, label, start + duration + 60_000);
        insertTraceEval.run(projectId, traceId, name, score, label, start);
        out.evaluations++;
      }

      const q = QUEUES[queueIndex];
      if (!q) continue;
      const at = start + 3600_000 + Math.floor(r() * DAY);
      const panel = [...reviewers].sort(() => r() - 0.5).slice(0, q.reviewers);
      const answers = panel.map((u) => {
        const verdictRight = r() < u.accuracy;
        const says = verdictRight ? failed : !failed;
        const chosen = says ? (failed ? modes.filter(() => r() < 0.85) : [MODES[Math.floor(r() * MODES.length)]]) : [];
        return { verdict: says ? 'fail' : 'pass', ...(says ? { failure_modes: chosen.length ? chosen : [modes[0] ?? MODES[0]] } : {}) };
      });
      panel.forEach((u, k) => {
        insertAnnotation.run(`bench-ann-${out.annotations++}`, projectId, q.id, traceId, u.id, u.name, schemaId, JSON.stringify(answers[k]), at + k * 60_000, at + k * 60_000);
      });
      insertItem.run(q.id, traceId, projectId, q.reviewers, at - 1800_000);
      // An admin settles a fifth of the items the reviewers split on.
      if (new Set(answers.map((a) => a.verdict)).size > 1 && r() < 0.2) {
        insertAdjudication.run(q.id, traceId, projectId, schemaId, JSON.stringify({ verdict: failed ? 'fail' : 'pass', failure_modes: failed ? modes : [] }), admin.id, admin.name, at + DAY, at + DAY);
        out.adjudications++;
      }
      if (++itemInQueue >= q.items) (queueIndex++, (itemInQueue = 0));
    }
    db.exec('COMMIT');
  }
  db.close();
  control.close();
  return out;
}

interface Timing {
  name: string;
  path: string;
  p50: number;
  p95: number;
  note: string;
}

/** A query slower than this is reported as such instead of being timed 20 times. */
const TIMEOUT_MS = 60_000;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Times one query `runs` times after 3 warm-ups; a reason instead when the route does not exist (yet), fails or times out. */
async function time(url: string, key: string, name: string, path: string, runs: number, note: (body: any) => string): Promise<Timing | string> {
  const times: number[] = [];
  let last: any = null;
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    let res: Response;
    let body: any;
    try {
      res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
      body = await res.json();
    } catch (err) {
      return `${name}: skipped, no answer within ${TIMEOUT_MS / 1000} s (${(err as Error).name})`;
    }
    const ms = performance.now() - t0;
    if (i === 0) process.stdout.write(`${name}: first answer in ${ms.toFixed(0)} ms\n`);
    if (res.status === 404 && String(body?.error?.message).startsWith('No route')) return `${name}: skipped, ${path.split('?')[0]} is not there yet (404 no route)`;
    if (!res.ok) return `${name}: skipped, ${res.status} ${body?.error?.code}: ${String(body?.error?.message).slice(0, 200)}`;
    if (i >= 3) times.push(ms);
    last = body;
  }
  times.sort((a, b) => a - b);
  return { name, path, p50: pct(times, 50), p95: pct(times, 95), note: note(last) };
}

const size = (b: any): string => {
  if (typeof b?.n === 'number') return `n=${b.n}`;
  for (const k of ['data', 'buckets', 'points', 'series', 'fields', 'rows', 'items']) if (Array.isArray(b?.[k])) return `${b[k].length} ${k}`;
  return '';
};

/**
 * `analyze`: run `PRAGMA optimize` (ANALYZE where useful) on the seeded database first, as D1's docs
 * advise after creating indexes; without it SQLite plans with no statistics, which is what Sieve ships today.
 */
export async function insightsBench(runs = 20, opts: { analyze?: boolean } = {}): Promise<void> {
  const now = Date.now();
  const t0 = performance.now();
  let seed: InsightsSeed | null = null;
  const server = await startLocalServer((s) => console.log(s), {
    beforeStart: (dir) => {
      seed = seedInsights(dir, LOCAL_DEFAULTS.projectId, now);
      if (opts.analyze) {
        const db = new DatabaseSync(projectD1File(dir, LOCAL_DEFAULTS.projectId));
        db.exec('PRAGMA optimize=0x10002;');
        db.close();
      }
    },
  });
  const s = seed as unknown as InsightsSeed;
  console.log(
    `insights data: ${TRACES.toLocaleString()} traces over 90 days, ${s.annotations.toLocaleString()} annotations, ${s.adjudications.toLocaleString()} adjudications, ${s.evaluations.toLocaleString()} evaluations; seeded and server up in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  const [pairs, triples] = s.queueIds;
  const calib = 'evaluator=faithfulness&field=verdict';
  const queries: [string, string][] = [
    ['calibration', `/api/v1/insights/calibration?${calib}`],
    ['calibration, version v2, queue', `/api/v1/insights/calibration?${calib}&evaluatorVersion=v2&queueId=${pairs}`],
    ['calibration, label-only judge', `/api/v1/insights/calibration?evaluator=correctness&field=verdict`],
    ['calibration history (weeks)', `/api/v1/insights/calibration/history?${calib}`],
    ['calibration disagreements', `/api/v1/insights/calibration/disagreements?${calib}&limit=50`],
    ['agreement, 2 reviewers/item', `/api/v1/insights/agreement?queueId=${pairs}`],
    ['agreement, 3 reviewers/item', `/api/v1/insights/agreement?queueId=${triples}`],
    ['trends (weeks)', `/api/v1/insights/trends?field=failure_modes&verdictField=verdict`],
    ['trends by model (days)', `/api/v1/insights/trends?field=failure_modes&verdictField=verdict&bucket=day&splitBy=model`],
    ['compare models', `/api/v1/insights/compare?dimension=model&a=gpt-4o-mini&b=claude-sonnet-4`],
    ['compare prompts, last 30 days', `/api/v1/insights/compare?dimension=promptVersion&a=v1&b=v4&from=${now - 30 * DAY}`],
  ];
  const rows: Timing[] = [];
  const skipped: string[] = [];
  let rebuilt = { traces: 0, rows: 0, ms: 0 };
  let rebuildMs = 0;
  try {
    // The seed wrote annotations straight into D1: build their materialized labels before timing queries,
    // and report that once-per-project cost by itself rather than inside a query's first answer.
    const adminKey = await createAdminKey(server.url, server.cfg);
    const r0 = performance.now();
    for (let done = false; !done; ) {
      const res = await fetch(`${server.url}/api/v1/insights/labels/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
      const body = (await res.json()) as typeof rebuilt & { done: boolean };
      if (!res.ok) throw new Error(`rebuilding labels failed: ${res.status} ${JSON.stringify(body)}`);
      rebuilt = { traces: rebuilt.traces + body.traces, rows: rebuilt.rows + body.rows, ms: rebuilt.ms + body.ms };
      done = body.done;
    }
    rebuildMs = performance.now() - r0;
    console.log(`labels rebuilt: ${rebuilt.traces.toLocaleString()} traces, ${rebuilt.rows.toLocaleString()} rows in ${(rebuildMs / 1000).toFixed(1)} s`);
    for (const [name, path] of queries) {
      const r = await time(server.url, server.cfg.demoApiKey, name, path, runs, size);
      if (typeof r === 'string') skipped.push(r);
      else rows.push(r);
    }
  } finally {
    await server.stop();
  }
  console.log(`\n== insights (issue #8): ${s.annotations.toLocaleString()} annotations, each query ${runs}× through the API, sequential${opts.analyze ? ', planner statistics (PRAGMA optimize) present' : ', no planner statistics (as shipped)'} ==`);
  console.log(`${'query'.padEnd(34)} ${'p50'.padStart(9)} ${'p95'.padStart(9)}  goal  answer`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(34)} ${`${r.p50.toFixed(1)} ms`.padStart(9)} ${`${r.p95.toFixed(1)} ms`.padStart(9)}  ${r.p95 < 300 ? ' ✓  ' : ' ✗  '}  ${r.note}`);
  }
  console.log(`${'labels rebuild (once, POST)'.padEnd(34)} ${`${rebuildMs.toFixed(0)} ms`.padStart(9)} ${''.padStart(9)}        ${rebuilt.traces.toLocaleString()} traces, ${rebuilt.rows.toLocaleString()} rows`);
  for (const line of skipped) console.log(line);
  const misses = rows.filter((r) => r.p95 >= 300);
  console.log(`goal p95 < 300 ms: ${misses.length ? `missed by ${misses.map((m) => m.name).join(', ')}` : `met by all ${rows.length} queries`}${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
}
