/** Column order of SpanRow (worker/ingest/rows.ts). */
const SPAN_COLUMNS = [
  'trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'start_ms', 'end_ms', 'status', 'service', 'environment',
  'model', 'provider', 'prompt_version', 'input_tokens', 'output_tokens', 'total_tokens', 'cost_usd', 'session_id',
  'user_id', 'tags', 'is_retry', 'input_preview', 'output_preview', 'payload_key', 'payload_offset', 'payload_length',
  'redactions',
] as const;

/**
 * Inserts many spans with two bound parameters (project, JSON array of rows), which keeps
 * far below D1's 100-parameter limit. The first copy of a (trace, span) wins.
 */
export const INSERT_SPANS_SQL = `
INSERT OR IGNORE INTO spans (project_id, ${SPAN_COLUMNS.join(', ')})
SELECT ?1, ${SPAN_COLUMNS.map((_, i) => `json_extract(r.value, '$[${i}]')`).join(', ')}
FROM json_each(?2) AS r`;

/**
 * Recomputes the trace rows of the touched traces from all of their spans, so arrival order and
 * duplicates do not matter. Tokens, cost and LLM calls count leaf model spans only: frameworks
 * that also report totals on a parent span (Vercel AI SDK, some agents) would otherwise count twice.
 * A trace's redactions are the sum of its spans' (values replaced or dropped at ingest).
 */
export const RECOMPUTE_TRACES_SQL = `
WITH touched(trace_id) AS (SELECT DISTINCT value FROM json_each(?2)),
s AS (
  SELECT sp.*,
    (sp.kind IN ('llm', 'embedding') AND NOT EXISTS (
      SELECT 1 FROM spans c
      WHERE c.project_id = sp.project_id AND c.trace_id = sp.trace_id AND c.parent_span_id = sp.span_id
        AND c.kind IN ('llm', 'embedding'))) AS leaf_llm
  FROM spans sp
  WHERE sp.project_id = ?1 AND sp.trace_id IN (SELECT trace_id FROM touched)
),
ranked AS (
  SELECT s.*,
    row_number() OVER (PARTITION BY trace_id ORDER BY (parent_span_id IS NOT NULL), start_ms, span_id) AS root_rank,
    row_number() OVER (PARTITION BY trace_id ORDER BY leaf_llm DESC, kind = 'llm' DESC, start_ms, span_id) AS first_llm_rank,
    row_number() OVER (PARTITION BY trace_id ORDER BY leaf_llm DESC, kind = 'llm' DESC, end_ms DESC, span_id) AS last_llm_rank
  FROM s
),
agg AS (
  SELECT trace_id,
    count(*) AS span_count,
    min(start_ms) AS start_ms,
    max(end_ms) AS end_ms,
    sum(status = 'error') AS error_count,
    sum(is_retry) AS retry_count,
    sum(leaf_llm) AS llm_call_count,
    coalesce(sum(CASE WHEN leaf_llm THEN input_tokens END), 0) AS input_tokens,
    coalesce(sum(CASE WHEN leaf_llm THEN output_tokens END), 0) AS output_tokens,
    coalesce(sum(CASE WHEN leaf_llm THEN total_tokens END), 0) AS total_tokens,
    sum(CASE WHEN leaf_llm THEN cost_usd END) AS cost_usd,
    sum(status = 'ok') AS ok_count,
    sum(redactions) AS redactions,
    max(service) AS any_service,
    max(environment) AS any_environment,
    max(prompt_version) AS any_prompt_version,
    max(session_id) AS any_session,
    max(user_id) AS any_user,
    (SELECT json_group_array(m) FROM (SELECT s2.model AS m FROM s s2
      WHERE s2.trace_id = s.trace_id AND s2.model IS NOT NULL
      GROUP BY s2.model ORDER BY max(s2.kind = 'llm') DESC, min(s2.start_ms))) AS models,
    (SELECT json_group_array(t) FROM (SELECT DISTINCT j.value AS t FROM s s3, json_each(s3.tags) j
      WHERE s3.trace_id = s.trace_id ORDER BY 1)) AS tags
  FROM s GROUP BY trace_id
)
INSERT INTO traces (
  project_id, trace_id, root_span_id, name, service, environment, model, models, prompt_version, status,
  error_count, retry_count, llm_call_count, span_count, start_ms, end_ms, duration_ms, input_tokens,
  output_tokens, total_tokens, cost_usd, session_id, user_id, tags, input_preview, output_preview, redactions, updated_at)
SELECT ?1, a.trace_id, r.span_id, r.name,
  coalesce(r.service, a.any_service), coalesce(r.environment, a.any_environment),
  CASE WHEN f.leaf_llm THEN f.model ELSE coalesce(r.model, json_extract(a.models, '$[0]')) END,
  a.models, coalesce(r.prompt_version, a.any_prompt_version),
  CASE WHEN a.error_count > 0 THEN 'error' WHEN a.ok_count > 0 THEN 'ok' ELSE 'unset' END,
  a.error_count, a.retry_count, a.llm_call_count, a.span_count, a.start_ms, a.end_ms, a.end_ms - a.start_ms,
  a.input_tokens, a.output_tokens, max(a.total_tokens, a.input_tokens + a.output_tokens), a.cost_usd,
  coalesce(r.session_id, a.any_session), coalesce(r.user_id, a.any_user), a.tags,
  coalesce(r.input_preview, f.input_preview), coalesce(r.output_preview, l.output_preview), a.redactions,
  cast(unixepoch('subsec') * 1000 as integer)
FROM agg a
JOIN ranked r ON r.trace_id = a.trace_id AND r.root_rank = 1
JOIN ranked f ON f.trace_id = a.trace_id AND f.first_llm_rank = 1
JOIN ranked l ON l.trace_id = a.trace_id AND l.last_llm_rank = 1
WHERE true
ON CONFLICT (project_id, trace_id) DO UPDATE SET
  root_span_id = excluded.root_span_id, name = excluded.name, service = excluded.service,
  environment = excluded.environment, model = excluded.model, models = excluded.models,
  prompt_version = excluded.prompt_version, status = excluded.status, error_count = excluded.error_count,
  retry_count = excluded.retry_count, llm_call_count = excluded.llm_call_count, span_count = excluded.span_count,
  start_ms = excluded.start_ms, end_ms = excluded.end_ms, duration_ms = excluded.duration_ms,
  input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
  total_tokens = excluded.total_tokens, cost_usd = excluded.cost_usd, session_id = excluded.session_id,
  user_id = excluded.user_id, tags = excluded.tags, input_preview = excluded.input_preview,
  output_preview = excluded.output_preview, redactions = excluded.redactions, updated_at = excluded.updated_at`;
