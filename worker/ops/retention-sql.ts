/**
 * The SQL of the retention job (worker/ops/retention.ts). Every statement takes its lists as one
 * JSON parameter (`json_each`), so a batch of any size stays far below D1's 100 bound parameters.
 * Parameters: ?1 project id, then as noted.
 */

/**
 * A trace that a person still needs: an item of a queue (unless removed from it), or the source of a
 * dataset record in any version (old versions stay exportable, and their provenance names the trace).
 * `dataset_records_trace` is (dataset_id, source_trace_id), hence the project's datasets as the IN
 * list; `+r.project_id` keeps the planner off dataset_records_scan, which would walk whole datasets.
 */
const PROTECTED = (traceId: string) => `(
  EXISTS (SELECT 1 FROM queue_items q WHERE q.project_id = ?1 AND q.trace_id = ${traceId} AND q.status <> 'removed')
  OR EXISTS (SELECT 1 FROM dataset_records r
    WHERE r.dataset_id IN (SELECT d.id FROM datasets d WHERE d.project_id = ?1)
      AND r.source_trace_id = ${traceId} AND +r.project_id = ?1))`;

/**
 * The next traces older than the cutoff after a keyset cursor, oldest first, each with whether it is
 * kept. ?2 cutoff (ms), ?3/?4 cursor (start_ms, trace_id), ?5 limit. A range scan of traces_project_start.
 */
export const SCAN_SQL = `
SELECT t.trace_id AS traceId, t.start_ms AS startMs, t.span_count AS spanCount,
  EXISTS (SELECT 1 FROM queue_items q WHERE q.project_id = ?1 AND q.trace_id = t.trace_id AND q.status <> 'removed') AS queued,
  ${PROTECTED('t.trace_id')} AS kept
FROM traces t
WHERE t.project_id = ?1 AND t.start_ms < ?2 AND (t.start_ms, t.trace_id) > (?3, ?4)
ORDER BY t.start_ms, t.trace_id
LIMIT ?5`;

/**
 * The traces of a batch (?2, JSON array of ids) that may go, checked again inside the deleting
 * transaction: one added to a queue or dataset since the scan stays. ?3 cutoff (ms). CROSS JOIN and
 * `+t.start_ms` make it one primary-key lookup per id, not a walk over every expired trace.
 */
const DOOMED = `
WITH doomed(trace_id) AS (
  SELECT t.trace_id FROM json_each(?2) j CROSS JOIN traces t
  WHERE t.project_id = ?1 AND t.trace_id = j.value AND +t.start_ms < ?3
    AND NOT ${PROTECTED('t.trace_id')}
)`;

/**
 * Releases the doomed traces' hold on their R2 objects (payload_objects counts the traces pointing into
 * each); runs in the deleting transaction, before trace_spans goes.
 */
export const RELEASE_PAYLOADS_SQL = `${DOOMED}
UPDATE payload_objects SET traces = traces - released.n FROM (
  SELECT j.value ->> 0 AS key, count(*) AS n
  FROM doomed d CROSS JOIN trace_spans ts CROSS JOIN json_each(ts.segments) j
  WHERE ts.project_id = ?1 AND ts.trace_id = d.trace_id GROUP BY 1) AS released
WHERE payload_objects.project_id = ?1 AND payload_objects.key = released.key`;

/** The objects no trace points into any more: their rows go and the keys are returned for R2. */
export const FREED_PAYLOADS_SQL = `
DELETE FROM payload_objects INDEXED BY payload_objects_free WHERE project_id = ?1 AND traces <= 0 RETURNING key AS payloadKey`;

/**
 * Per-trace tables, children first and `traces` last (the doomed set reads it). Review records
 * (queue items, annotations, adjudications) are the queue's, owned by its Durable Object: they stay.
 */
export const PER_TRACE_TABLES = ['evaluations', 'feedback', 'trace_evals', 'automation_matches', 'trace_spans', 'traces'] as const;
export type PerTraceTable = (typeof PER_TRACE_TABLES)[number];

export const deleteSql = (table: PerTraceTable): string => `${DOOMED}
DELETE FROM ${table} WHERE project_id = ?1 AND trace_id IN (SELECT trace_id FROM doomed)`;

/** Signal tables whose rows may name a trace that never arrived (signals are stored before their trace). */
export const SIGNAL_TABLES = ['evaluations', 'feedback'] as const;
export type SignalTable = (typeof SIGNAL_TABLES)[number];

/**
 * Deletes up to ?3 signals older than the cutoff (?2) whose trace does not exist: an app that samples its
 * traces still sends feedback for every request. A range of `<table>_time`, one primary-key probe each.
 */
export const orphanSignalsSql = (table: SignalTable): string => `
DELETE FROM ${table} WHERE rowid IN (
  SELECT s.rowid FROM ${table} s
  WHERE s.project_id = ?1 AND s.timestamp_ms < ?2
    AND NOT EXISTS (SELECT 1 FROM traces t WHERE t.project_id = ?1 AND t.trace_id = s.trace_id)
  LIMIT ?3)`;

/** Adds to a one-minute counter: ?1 metric, ?2 project, ?3 bucket (ms), ?4 value. */
export const ADD_COUNTER_SQL = `
INSERT INTO ops_counters (metric, project_id, bucket, value) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (metric, project_id, bucket) DO UPDATE SET value = value + excluded.value`;
