const EVAL_FIELDS = ['id', 'trace_id', 'span_id', 'name', 'evaluator_version', 'evaluator_kind', 'score', 'label', 'explanation', 'source', 'client_id', 'timestamp_ms'] as const;

/**
 * Upserts evaluations given as a JSON array of rows (EVAL_FIELDS order). Re-sending the same result
 * — same client id, or same (trace, span, evaluator name, version) — updates it in place.
 */
export const UPSERT_EVALUATIONS_SQL = `
INSERT INTO evaluations (project_id, ${EVAL_FIELDS.join(', ')}, updated_at)
SELECT ?1, ${EVAL_FIELDS.map((_, i) => `json_extract(r.value, '$[${i}]')`).join(', ')}, cast(unixepoch('subsec') * 1000 as integer)
FROM json_each(?2) AS r WHERE true
ON CONFLICT (project_id, client_id) WHERE client_id IS NOT NULL DO UPDATE SET
  score = excluded.score, label = excluded.label, explanation = excluded.explanation,
  evaluator_kind = excluded.evaluator_kind, timestamp_ms = excluded.timestamp_ms, updated_at = excluded.updated_at
ON CONFLICT (project_id, trace_id, span_id, name, evaluator_version) DO UPDATE SET
  score = excluded.score, label = excluded.label, explanation = excluded.explanation,
  evaluator_kind = excluded.evaluator_kind, client_id = coalesce(evaluations.client_id, excluded.client_id),
  timestamp_ms = excluded.timestamp_ms, updated_at = excluded.updated_at`;

const FEEDBACK_FIELDS = ['id', 'trace_id', 'kind', 'thumbs', 'rating', 'scale', 'normalized', 'comment', 'sentiment', 'end_user_id', 'client_id', 'timestamp_ms'] as const;

/** Inserts feedback (JSON rows in FEEDBACK_FIELDS order); a repeated client id updates instead. */
export const UPSERT_FEEDBACK_SQL = `
INSERT INTO feedback (project_id, ${FEEDBACK_FIELDS.join(', ')})
SELECT ?1, ${FEEDBACK_FIELDS.map((_, i) => `json_extract(r.value, '$[${i}]')`).join(', ')}
FROM json_each(?2) AS r WHERE true
ON CONFLICT (project_id, client_id) WHERE client_id IS NOT NULL DO UPDATE SET
  kind = excluded.kind, thumbs = excluded.thumbs, rating = excluded.rating, scale = excluded.scale,
  normalized = excluded.normalized, comment = excluded.comment, sentiment = excluded.sentiment,
  end_user_id = excluded.end_user_id, timestamp_ms = excluded.timestamp_ms`;

/**
 * One row per (trace, evaluator) for filtering and sorting: the worst (lowest) score over the
 * trace's results of that evaluator, its label, and the trace's start (null until the trace arrives).
 */
export const REFRESH_TRACE_EVALS_SQL = `
INSERT INTO trace_evals (project_id, trace_id, name, score, label, start_ms)
SELECT e.project_id, e.trace_id, e.name, min(e.score), e.label,
  (SELECT t.start_ms FROM traces t WHERE t.project_id = e.project_id AND t.trace_id = e.trace_id)
FROM evaluations e
WHERE e.project_id = ?1 AND e.trace_id IN (SELECT value FROM json_each(?2))
GROUP BY e.trace_id, e.name
ON CONFLICT (project_id, trace_id, name) DO UPDATE SET
  score = excluded.score, label = excluded.label, start_ms = excluded.start_ms`;

/**
 * Feedback and evaluation counts on the trace row, where the explorer's partial indexes see them.
 * The `IN (json_each)` term lets SQLite look the traces up by key; joined on `a` alone, it walked
 * every trace of the project on each write.
 */
export const REFRESH_TRACE_SIGNALS_SQL = `
UPDATE traces SET
  thumbs_up = a.up, thumbs_down = a.down, positive_feedback = a.pos, neutral_feedback = a.neu,
  negative_feedback = a.neg, min_rating = a.min_rating, max_rating = a.max_rating, feedback_count = a.n,
  eval_count = (SELECT count(*) FROM evaluations e WHERE e.project_id = traces.project_id AND e.trace_id = traces.trace_id)
FROM (
  SELECT ids.trace_id,
    count(f.id) AS n,
    coalesce(sum(f.thumbs = 'up'), 0) AS up, coalesce(sum(f.thumbs = 'down'), 0) AS down,
    coalesce(sum(f.sentiment = 'positive'), 0) AS pos, coalesce(sum(f.sentiment = 'neutral'), 0) AS neu,
    coalesce(sum(f.sentiment = 'negative'), 0) AS neg,
    min(CASE WHEN f.kind = 'rating' THEN f.normalized END) AS min_rating,
    max(CASE WHEN f.kind = 'rating' THEN f.normalized END) AS max_rating
  FROM (SELECT DISTINCT value AS trace_id FROM json_each(?2)) ids
  LEFT JOIN feedback f ON f.project_id = ?1 AND f.trace_id = ids.trace_id
  GROUP BY ids.trace_id
) AS a
WHERE traces.project_id = ?1 AND traces.trace_id IN (SELECT value FROM json_each(?2)) AND traces.trace_id = a.trace_id`;
