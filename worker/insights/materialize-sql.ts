/**
 * The SQL that keeps `trace_labels` equal to what `resolveLabels` (labels.ts) gives over the same rows.
 * DELETE_LABELS_SQL then INSERT_LABELS_SQL, in one batch (one transaction), take the project (?1) and a
 * JSON array of trace ids (?2) and recompute those traces in every scope from the annotations and
 * adjudications as they are now, so running them again, late or twice converges on the same rows. The
 * PAGE_* statements do the same for a whole project, a page of traces at a time.
 *
 * The rule, per (scope, trace, field, kind):
 * - an answer is a non-null value of the field in an annotation's or adjudication's `values`; its kind is
 *   the type its schema version gives the field (categorical split by `multiple`), '' when the version
 *   does not define the field (such answers are only counted, as skipped);
 * - one reviewer: their value; several: the plurality by JSON text, a tie leaves no value (contested);
 *   multi select: each option chosen by more than half of the reviewers, as a sorted set;
 * - an adjudication overrides; with several (one per queue), the latest `updated_at` wins (then queue id);
 * - `newest` keys the newest schema version answered (created_at, version, schema id), from which the
 *   reader picks the reference kind exactly as resolveLabels picks the reference definition.
 */

/** Bumped when the rule changes: projects built by an older rule are rebuilt on their next read. */
export const LABELS_VERSION = 1;

/** The text of a JSON element as JavaScript's String() gives it, for json_each alias `x`. */
export const optionText = (x: string) =>
  `CASE ${x}.type WHEN 'text' THEN ${x}.value WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' ELSE CAST(${x}.value AS TEXT) END`;

/** A JSON array of the distinct option texts of JSON `value` (an empty one unless it is an array), sorted. */
const optionSet = (value: string) =>
  `(SELECT json_group_array(x) FROM (SELECT DISTINCT ${optionText('o')} AS x FROM json_each(CASE WHEN json_type(${value}) = 'array' THEN ${value} ELSE '[]' END) o ORDER BY x))`;

export const DELETE_LABELS_SQL = `DELETE FROM trace_labels WHERE project_id = ?1 AND trace_id IN (SELECT value FROM json_each(?2))`;

/** Field keys as label schemas allow them; other keys in `values` are never asked about. */
const FIELD_KEY = `e.key GLOB '[a-z]*' AND e.key NOT GLOB '*[^a-z0-9_]*' AND length(e.key) <= 64`;

/** The INSERT that recomputes the traces `ids` selects (after the CTEs `ctes`, which it may read). */
const insertLabelsSql = (ctes: string, ids: string) => `
INSERT INTO trace_labels (project_id, scope, field, kind, trace_id, value, source, reviewers, answers, newest, queue_id)
WITH ${ctes}
ids(trace_id) AS (${ids}),
defs AS MATERIALIZED (
  SELECT v.schema_id, v.version, f.value ->> 'key' AS field,
    CASE WHEN f.value ->> 'type' = 'categorical' AND f.value ->> 'multiple' THEN 'categorical-multi' ELSE f.value ->> 'type' END AS kind,
    printf('%015d:%010d:%s', v.created_at, v.version, v.schema_id) AS newest, min(f.id)
  FROM label_schema_versions v, json_each(v.fields) f
  WHERE v.project_id = ?1
  GROUP BY v.schema_id, v.version, f.value ->> 'key'
),
src AS MATERIALIZED (
  SELECT a.rowid AS rid, a.trace_id, a.queue_id, a.schema_id, a.schema_version, a."values" AS vals, NULL AS at
  FROM ids CROSS JOIN annotations a WHERE a.project_id = ?1 AND a.trace_id = ids.trace_id
  UNION ALL
  SELECT -j.rowid, j.trace_id, j.queue_id, j.schema_id, j.schema_version, j."values", j.updated_at
  FROM ids CROSS JOIN adjudications j WHERE j.project_id = ?1 AND j.trace_id = ids.trace_id
),
answers AS MATERIALIZED (
  SELECT s.rid, s.trace_id, s.queue_id, s.at, e.key AS field, coalesce(d.kind, '') AS kind, d.newest, s.vals -> e.fullkey AS value
  FROM src s
    JOIN json_each(CASE WHEN json_valid(s.vals) THEN s.vals ELSE '{}' END) e
    LEFT JOIN defs d ON d.schema_id = s.schema_id AND d.version = s.schema_version AND d.field = e.key
  WHERE e.type <> 'null' AND ${FIELD_KEY}
),
scoped AS MATERIALIZED (SELECT '' AS scope, * FROM answers UNION ALL SELECT queue_id, * FROM answers),
groups AS (
  SELECT scope, trace_id, field, kind, count(*) AS answers, count(*) FILTER (WHERE at IS NULL) AS reviewers, max(newest) AS newest,
    min(queue_id) FILTER (WHERE at IS NULL) AS queue_id
  FROM scoped GROUP BY scope, trace_id, field, kind
),
votes AS (
  SELECT scope, trace_id, field, kind, value, count(*) AS n FROM scoped
  WHERE at IS NULL AND kind NOT IN ('', 'categorical-multi')
  GROUP BY scope, trace_id, field, kind, value
),
ranked AS (
  SELECT scope, trace_id, field, kind, value, row_number() OVER (PARTITION BY scope, trace_id, field, kind ORDER BY n DESC) AS place,
    count(*) OVER (PARTITION BY scope, trace_id, field, kind, n) AS ties
  FROM votes
),
plurality AS (SELECT scope, trace_id, field, kind, CASE WHEN ties = 1 THEN value END AS value FROM ranked WHERE place = 1),
picks AS (
  SELECT DISTINCT s.scope, s.trace_id, s.field, s.rid, ${optionText('o')} AS option
  FROM scoped s, json_each(s.value) o
  WHERE s.at IS NULL AND s.kind = 'categorical-multi' AND json_type(s.value) = 'array'
),
options AS (SELECT scope, trace_id, field, option, count(*) AS n FROM picks GROUP BY scope, trace_id, field, option),
adjudicated AS (
  SELECT scope, trace_id, field, kind, value, max(printf('%015d:', at) || queue_id) AS last
  FROM scoped WHERE at IS NOT NULL AND kind <> '' GROUP BY scope, trace_id, field, kind
),
first_adjudicated AS (
  SELECT scope, trace_id, field, kind, queue_id, min(printf('%015d:', at) || queue_id) AS first
  FROM scoped WHERE at IS NOT NULL AND kind <> '' GROUP BY scope, trace_id, field, kind
)
SELECT ?1, g.scope, g.field, g.kind, g.trace_id,
  CASE
    WHEN g.kind = '' THEN NULL
    WHEN j.value IS NOT NULL AND g.kind = 'categorical-multi' THEN ${optionSet('j.value')}
    WHEN j.value IS NOT NULL THEN j.value
    WHEN g.kind = 'categorical-multi' THEN (
      SELECT json_group_array(option) FROM (
        SELECT o.option FROM options o
        WHERE o.scope = g.scope AND o.trace_id = g.trace_id AND o.field = g.field AND o.n * 2 > g.reviewers ORDER BY o.option))
    ELSE p.value
  END,
  CASE WHEN g.kind = '' THEN NULL WHEN j.value IS NOT NULL THEN 'adjudicated' WHEN g.reviewers = 1 THEN 'single' ELSE 'majority' END,
  g.reviewers, g.answers, g.newest,
  CASE WHEN g.reviewers = 0 THEN f.queue_id ELSE g.queue_id END
FROM groups g
  LEFT JOIN plurality p ON p.scope = g.scope AND p.trace_id = g.trace_id AND p.field = g.field AND p.kind = g.kind
  LEFT JOIN adjudicated j ON j.scope = g.scope AND j.trace_id = g.trace_id AND j.field = g.field AND j.kind = g.kind
  LEFT JOIN first_adjudicated f ON f.scope = g.scope AND f.trace_id = g.trace_id AND f.field = g.field AND f.kind = g.kind
UNION ALL
SELECT ?1, scope, '', '', trace_id, NULL, NULL, 0, count(*), NULL, NULL
FROM (SELECT '' AS scope, trace_id FROM src UNION ALL SELECT queue_id, trace_id FROM src)
GROUP BY scope, trace_id`;

/** Recomputes the traces of the JSON array ?2; run after DELETE_LABELS_SQL. */
export const INSERT_LABELS_SQL = insertLabelsSql('', 'SELECT DISTINCT value FROM json_each(?2)');

/**
 * A rebuild, page by page: ?1 project, ?2 page size. The page is the next ?2 traces with reviews after the
 * state's cursor, in trace id order, taking the first ?2 of each table on its (project, trace) index so a
 * page costs O(?2); its end bounds a range of trace ids. Every statement of a page's batch derives the same
 * range (the cursor moves last), so the deletes cover rows of traces that have lost their reviews too.
 */
const PAGE = `
cur AS (SELECT cursor AS c FROM trace_labels_state WHERE project_id = ?1),
page AS (
  SELECT trace_id FROM (
    SELECT * FROM (SELECT DISTINCT trace_id FROM annotations WHERE project_id = ?1 AND trace_id > (SELECT c FROM cur) ORDER BY trace_id LIMIT ?2)
    UNION SELECT * FROM (SELECT DISTINCT trace_id FROM adjudications WHERE project_id = ?1 AND trace_id > (SELECT c FROM cur) ORDER BY trace_id LIMIT ?2)
  ) ORDER BY trace_id LIMIT ?2),
bound AS (SELECT (SELECT c FROM cur) AS c, (SELECT max(trace_id) FROM page) AS e),`;

/** Starts a rebuild (?2: the rule version) unless one of that version is under way, which then resumes. */
export const START_REBUILD_SQL = `
INSERT INTO trace_labels_state (project_id, version, building, cursor) VALUES (?1, 0, ?2, '')
ON CONFLICT (project_id) DO UPDATE SET building = excluded.building, cursor = ''
WHERE trace_labels_state.building IS NOT excluded.building`;

/** How many traces the page holds. */
export const PAGE_SIZE_SQL = `WITH ${PAGE.replace(/,$/, '')} SELECT count(*) AS traces FROM page`;

/** Deletes the rows in the page's range; the last page (no end) takes every row after the cursor. */
export const PAGE_DELETE_SQL = `WITH ${PAGE.replace(/,$/, '')}
DELETE FROM trace_labels WHERE project_id = ?1 AND trace_id > (SELECT c FROM bound) AND ((SELECT e FROM bound) IS NULL OR trace_id <= (SELECT e FROM bound))`;

export const PAGE_INSERT_SQL = insertLabelsSql(PAGE, 'SELECT trace_id FROM page');

/** Moves the cursor to the page's end; after the last page, records the version built. */
export const PAGE_DONE_SQL = `WITH ${PAGE.replace(/,$/, '')}
UPDATE trace_labels_state SET
  cursor = (SELECT e FROM bound),
  version = CASE WHEN (SELECT e FROM bound) IS NULL THEN coalesce(building, version) ELSE version END,
  built_at = CASE WHEN (SELECT e FROM bound) IS NULL THEN ?3 ELSE built_at END,
  building = CASE WHEN (SELECT e FROM bound) IS NULL THEN NULL ELSE building END
WHERE project_id = ?1
RETURNING building IS NULL AS done`;
