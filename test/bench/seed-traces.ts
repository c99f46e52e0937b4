import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { mulberry32 as rng } from '../../worker/cli/synth';
import { localD1File } from '../../worker/cli/wrangler';

/** The local file of a D1 database (the control database `DB` unless a shard binding is named) under a state directory. */
export function d1File(stateDir: string, binding = 'DB'): string {
  const file = localD1File(stateDir, binding);
  if (!existsSync(file)) throw new Error(`no local D1 database ${binding} at ${file}`);
  return file;
}

/** The local file of the shard that holds the project's data (`projects.shard` in the control database). */
export function projectD1File(stateDir: string, projectId: string): string {
  const control = new DatabaseSync(d1File(stateDir));
  try {
    const row = control.prepare('SELECT shard FROM projects WHERE id = ?').get(projectId) as { shard: string } | undefined;
    if (!row) throw new Error(`no project ${projectId} in the local control database`);
    return d1File(stateDir, row.shard);
  } finally {
    control.close();
  }
}


const SERVICES = ['support-bot', 'docs-rag', 'travel-agent'];
const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4', 'gemini-2.5-flash', 'gpt-4o', 'claude-3-5-haiku'];
const TAGS = ['vip', 'beta', 'mobile', 'web', 'eu', 'us'];
const TOPICS = ['refund for my order', 'reset my password', 'flight to Lisbon', 'API rate limits', 'invoice copy', 'cancel subscription', 'change seat', 'upgrade plan'];

/**
 * Writes `count` traces with signals (evaluations, feedback) straight into the local D1 file, with
 * realistic distributions over the last 30 days. Bypasses ingest on purpose: this seeds the
 * explorer benchmark's data set in minutes instead of hours.
 */
export function seedTraces(stateDir: string, projectId: string, count: number, now: number, log: (s: string) => void): void {
  const db = new DatabaseSync(projectD1File(stateDir, projectId));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  const insertTrace = db.prepare(`INSERT INTO traces (project_id, trace_id, name, service, environment, model, models,
    prompt_version, status, error_count, retry_count, llm_call_count, span_count, start_ms, end_ms, duration_ms, input_tokens,
    output_tokens, total_tokens, cost_usd, session_id, user_id, tags, input_preview, output_preview,
    thumbs_up, thumbs_down, positive_feedback, neutral_feedback, negative_feedback, min_rating, max_rating, feedback_count, eval_count)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEval = db.prepare(`INSERT INTO evaluations (id, project_id, trace_id, span_id, name, evaluator_version, evaluator_kind, score, label, source, timestamp_ms)
    VALUES (?, ?, ?, '', ?, '', 'llm', ?, ?, 'api', ?)`);
  const insertTraceEval = db.prepare('INSERT INTO trace_evals (project_id, trace_id, name, score, label, start_ms) VALUES (?, ?, ?, ?, ?, ?)');
  const insertFeedback = db.prepare(`INSERT INTO feedback (id, project_id, trace_id, kind, thumbs, rating, scale, normalized, sentiment, timestamp_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const r = rng(count);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  const span = 30 * 24 * 3600_000;
  const chunk = 20_000;
  for (let base = 0; base < count; base += chunk) {
    db.exec('BEGIN');
    for (let i = base; i < Math.min(count, base + chunk); i++) {
      const traceId = hex(32);
      const start = Math.floor(now - r() * span);
      const duration = Math.floor(Math.exp(6.5 + r() * 2 + (r() < 0.05 ? 2 : 0)));
      const error = r() < 0.05 ? 1 + Math.floor(r() * 3) : 0;
      const retries = error && r() < 0.5 ? 1 + Math.floor(r() * 3) : r() < 0.03 ? 1 : 0;
      const model = MODELS[Math.floor(r() * MODELS.length)];
      const inTok = 200 + Math.floor(r() * 3000);
      const outTok = 20 + Math.floor(r() * 800);
      const tags = TAGS.filter(() => r() < 0.15);
      const topic = TOPICS[Math.floor(r() * TOPICS.length)];
      const up = r() < 0.05 ? 1 : 0;
      const down = !up && r() < 0.03 ? 1 : 0;
      const sentiment = r() < 0.02 ? 'negative' : r() < 0.03 ? 'positive' : null;
      const rating = r() < 0.05 ? Math.ceil(r() * 5) : null;
      const fbCount = up + down + (rating !== null ? 1 : 0) + (sentiment && !up && !down ? 1 : 0);
      const evals: [string, number][] = [];
      if (r() < 0.6) evals.push(['faithfulness', Math.round(r() ** 0.5 * 100) / 100]);
      if (r() < 0.4) evals.push(['relevance', Math.round(r() * 100) / 100]);
      insertTrace.run(projectId, traceId, `${SERVICES[i % 3]} turn`, SERVICES[i % 3], r() < 0.8 ? 'production' : 'staging',
        model, JSON.stringify([model]), `v${1 + Math.floor(r() * 4)}`, error ? 'error' : 'ok', error, retries, 1 + Math.floor(r() * 3),
        2 + Math.floor(r() * 12), start, start + duration, duration, inTok, outTok, inTok + outTok, (inTok * 2.5 + outTok * 10) / 1e6,
        `sess-${Math.floor(r() * count / 3)}`, `user-${Math.floor(r() * 5000)}`, JSON.stringify(tags),
        `Customer asks about ${topic} (#${i})`, `Here is what I found about ${topic}.`,
        up, down, sentiment === 'positive' ? 1 : 0, 0, sentiment === 'negative' ? 1 : 0,
        rating === null ? null : rating / 5, rating === null ? null : rating / 5, fbCount, evals.length);
      for (const [name, score] of evals) {
        insertEval.run(`${traceId}-${name}`, projectId, traceId, name, score, score < 0.5 ? 'fail' : 'pass', start + duration);
        insertTraceEval.run(projectId, traceId, name, score, score < 0.5 ? 'fail' : 'pass', start);
      }
      if (up || down) insertFeedback.run(`${traceId}-t`, projectId, traceId, 'thumbs', up ? 'up' : 'down', null, null, up, sentiment, start + duration);
      if (rating !== null) insertFeedback.run(`${traceId}-r`, projectId, traceId, 'rating', null, rating, 5, rating / 5, null, start + duration);
    }
    db.exec('COMMIT');
    log(`seeded ${Math.min(count, base + chunk).toLocaleString()} / ${count.toLocaleString()} traces`);
  }
  db.close();
}
