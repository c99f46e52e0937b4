import type { EvaluationResponse, FeedbackResponse } from '../schemas/signals';
import { jsonChunks } from './json-chunks';
import { REFRESH_TRACE_EVALS_SQL, REFRESH_TRACE_SIGNALS_SQL, UPSERT_EVALUATIONS_SQL, UPSERT_FEEDBACK_SQL } from './signal-sql';
import { iso } from '../lib/time';

import type { EvaluationRow, FeedbackRow } from './signal-rows';

export type { EvaluationRow, FeedbackRow };

/** The statements that fold the signals of `traceIds` into the trace index; part of every write batch. */
export function refreshSignalStatements(d1: D1Database, projectId: string, traceIds: string[]): D1PreparedStatement[] {
  const ids = JSON.stringify(traceIds);
  return [d1.prepare(REFRESH_TRACE_EVALS_SQL).bind(projectId, ids), d1.prepare(REFRESH_TRACE_SIGNALS_SQL).bind(projectId, ids)];
}

/** The upserts of `rows`, in chunks that keep each JSON parameter under D1's size limit. */
export function upsertEvaluationsStatements(d1: D1Database, projectId: string, rows: EvaluationRow[], returning = ''): D1PreparedStatement[] {
  const upsert = d1.prepare(UPSERT_EVALUATIONS_SQL + returning);
  return jsonChunks(rows).map((json) => upsert.bind(projectId, json));
}

const distinct = (ids: string[]) => [...new Set(ids)];
const naturalKey = (traceId: string, spanId: string, name: string, version: string) => JSON.stringify([traceId, spanId, name, version]);

/**
 * Stores evaluations and refreshes their traces' signals, in one transaction. Returns the id each
 * row ended up with: a re-sent result (same client id, or same natural key) keeps its first id.
 */
export async function storeEvaluations(d1: D1Database, projectId: string, rows: EvaluationRow[]): Promise<string[]> {
  if (!rows.length) return [];
  const upserts = upsertEvaluationsStatements(d1, projectId, rows, ' RETURNING id, client_id, trace_id, span_id, name, evaluator_version');
  const results = await d1.batch<{ id: string; client_id: string | null; trace_id: string; span_id: string; name: string; evaluator_version: string }>([
    ...upserts,
    ...refreshSignalStatements(d1, projectId, distinct(rows.map((r) => r[1]))),
  ]);
  const byClient = new Map<string, string>();
  const byNatural = new Map<string, string>();
  for (const r of results.slice(0, upserts.length).flatMap((res) => res.results)) {
    if (r.client_id) byClient.set(r.client_id, r.id);
    byNatural.set(naturalKey(r.trace_id, r.span_id, r.name, r.evaluator_version), r.id);
  }
  return rows.map(([id, traceId, spanId, name, version, , , , , , clientId]) =>
    (clientId && byClient.get(clientId)) || byNatural.get(naturalKey(traceId, spanId, name, version)) || id);
}

/** Stores feedback and refreshes its traces' counts; returns each row's id (a repeated client id keeps its first). */
export async function storeFeedback(d1: D1Database, projectId: string, rows: FeedbackRow[]): Promise<string[]> {
  if (!rows.length) return [];
  const upsert = d1.prepare(`${UPSERT_FEEDBACK_SQL} RETURNING id, client_id`);
  const upserts = jsonChunks(rows).map((json) => upsert.bind(projectId, json));
  const results = await d1.batch<{ id: string; client_id: string | null }>([
    ...upserts,
    ...refreshSignalStatements(d1, projectId, distinct(rows.map((r) => r[1]))),
  ]);
  const byClient = new Map<string, string>();
  for (const r of results.slice(0, upserts.length).flatMap((res) => res.results)) if (r.client_id) byClient.set(r.client_id, r.id);
  return rows.map(([id, , , , , , , , , , clientId]) => (clientId && byClient.get(clientId)) || id);
}


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
