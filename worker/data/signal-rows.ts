/** Signal rows as the upserts of signal-sql.ts take them (pure types, usable outside the Worker). */

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
