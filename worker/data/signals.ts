import type { EvaluationResponse, FeedbackResponse } from '../schemas/signals';
import { REFRESH_TRACE_EVALS_SQL, REFRESH_TRACE_SIGNALS_SQL, UPSERT_EVALUATIONS_SQL, UPSERT_FEEDBACK_SQL } from './signal-sql';

/** Row in the column order of UPSERT_EVALUATIONS_SQL. */
export type EvaluationRow = [
  id: string,
  traceId: string,
  spanId: string,
  name: string,
  evaluatorVersion: string,
  evaluatorKind: string,
  score: number | null,
  label: string | null,
  explanation: string | null,
  source: 'api' | 'otel',
  clientId: string | null,
  timestampMs: number,
];

/** Row in the column order of UPSERT_FEEDBACK_SQL. */
export type FeedbackRow = [
  id: string,
  traceId: string,
  kind: 'thumbs' | 'rating',
  thumbs: 'up' | 'down' | null,
  rating: number | null,
  scale: number | null,
  normalized: number,
  comment: string | null,
  sentiment: string | null,
  endUserId: string | null,
  clientId: string | null,
  timestampMs: number,
];

/** The statements that fold the signals of `traceIds` into the trace index; part of every write batch. */
export function refreshSignalStatements(d1: D1Database, projectId: string, traceIds: string[]): D1PreparedStatement[] {
  const ids = JSON.stringify(traceIds);
  return [d1.prepare(REFRESH_TRACE_EVALS_SQL).bind(projectId, ids), d1.prepare(REFRESH_TRACE_SIGNALS_SQL).bind(projectId, ids)];
}

export function upsertEvaluationsStatement(d1: D1Database, projectId: string, rows: EvaluationRow[]): D1PreparedStatement {
  return d1.prepare(UPSERT_EVALUATIONS_SQL).bind(projectId, JSON.stringify(rows));
}

const distinct = (ids: string[]) => [...new Set(ids)];

/** Stores evaluations and refreshes their traces' signals, in one transaction. */
export async function storeEvaluations(d1: D1Database, projectId: string, rows: EvaluationRow[]): Promise<void> {
  if (!rows.length) return;
  const traceIds = distinct(rows.map((r) => r[1]));
  await d1.batch([upsertEvaluationsStatement(d1, projectId, rows), ...refreshSignalStatements(d1, projectId, traceIds)]);
}

export async function storeFeedback(d1: D1Database, projectId: string, rows: FeedbackRow[]): Promise<void> {
  if (!rows.length) return;
  const traceIds = distinct(rows.map((r) => r[1]));
  await d1.batch([
    d1.prepare(UPSERT_FEEDBACK_SQL).bind(projectId, JSON.stringify(rows)),
    ...refreshSignalStatements(d1, projectId, traceIds),
  ]);
}

/** Ids of the rows that a batch with client ids resolved to (a repeated client id keeps its first id). */
export async function idsForClientIds(d1: D1Database, table: 'evaluations' | 'feedback', projectId: string, clientIds: string[]): Promise<Map<string, string>> {
  if (!clientIds.length) return new Map();
  const { results } = await d1
    .prepare(`SELECT client_id, id FROM ${table} WHERE project_id = ?1 AND client_id IN (SELECT value FROM json_each(?2))`)
    .bind(projectId, JSON.stringify(clientIds))
    .all<{ client_id: string; id: string }>();
  return new Map(results.map((r) => [r.client_id, r.id]));
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function listSignals(d1: D1Database, projectId: string, traceId: string): Promise<{ evaluations: EvaluationResponse[]; feedback: FeedbackResponse[] }> {
  const [ev, fb] = await d1.batch([
    d1.prepare(`SELECT * FROM evaluations WHERE project_id = ? AND trace_id = ? ORDER BY name, timestamp_ms`).bind(projectId, traceId),
    d1.prepare(`SELECT * FROM feedback WHERE project_id = ? AND trace_id = ? ORDER BY timestamp_ms`).bind(projectId, traceId),
  ]);
  const evaluations = (ev.results as Record<string, any>[]).map((r) => ({
    id: r.id,
    traceId: r.trace_id,
    spanId: r.span_id || null,
    name: r.name,
    score: r.score,
    label: r.label,
    explanation: r.explanation,
    evaluatorKind: r.evaluator_kind,
    evaluatorVersion: r.evaluator_version || null,
    source: r.source,
    timestamp: iso(r.timestamp_ms),
  }));
  const feedback = (fb.results as Record<string, any>[]).map((r) => ({
    id: r.id,
    traceId: r.trace_id,
    kind: r.kind,
    value: r.kind === 'thumbs' ? r.thumbs : r.rating,
    scale: r.scale,
    comment: r.comment,
    sentiment: r.sentiment,
    endUserId: r.end_user_id,
    timestamp: iso(r.timestamp_ms),
  }));
  return { evaluations, feedback };
}
