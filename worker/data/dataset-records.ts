import type { SerializedValues } from '../datasets/record-check';
import { jsonChunks } from './json-chunks';

/**
 * Writes to dataset records. A change is staged, then committed:
 *  - `stage` inserts new rows under a private placeholder version (≥ STAGED), which no version
 *    reads (`added_version <= N`), in as many batches as the change needs — memory stays bounded;
 *  - `commit` is one D1 batch, one transaction: it bumps the dataset's version, stamps removed rows,
 *    drops staged rows whose trace a concurrent change already added, turns the staged rows into the
 *    new version and writes the version's counts. Two concurrent changes get two versions, and no
 *    version is ever seen half-written. A small change is staged and committed in the same batch.
 */

/** Placeholder versions are at least this; real versions never get there. */
export const STAGED = 1_000_000_000_000;

export interface NewRecord {
  recordId: string;
  values: SerializedValues;
  source: {
    kind: 'trace' | 'import' | 'api';
    traceId?: string | null;
    spanId?: string | null;
    queueId?: string | null;
    annotationId?: string | null;
    ruleId?: string | null;
    ruleVersion?: number | null;
  };
}

export interface ChangeScope {
  projectId: string;
  datasetId: string;
  addedBy: string;
  /**
   * Skip an added record whose source trace the dataset already has: `live` among current records,
   * `ever` among all rows including removed ones (automations never re-add what a person removed).
   */
  dedupe: 'none' | 'live' | 'ever';
}

export interface ChangeResult {
  /** Null when nothing changed: no version was made. */
  version: number | null;
  added: { recordId: string; traceId: string | null }[];
  removed: string[];
}

const COMMITTED = `o.added_version < ${STAGED}`;
const known = (dedupe: ChangeScope['dedupe'], trace: string) =>
  `EXISTS (SELECT 1 FROM dataset_records o WHERE o.dataset_id = ?2 AND o.source_trace_id = ${trace} AND ${COMMITTED}${dedupe === 'live' ? ' AND o.removed_version IS NULL' : ''})`;

const insertSql = (dedupe: ChangeScope['dedupe']) => `INSERT INTO dataset_records (project_id, dataset_id, record_id, added_version, input, output,
    expected_output, metadata, source_kind, source_trace_id, source_span_id, source_queue_id, source_annotation_id, source_rule_id,
    source_rule_version, added_by, created_at, size_bytes)
  SELECT ?1, ?2, j.value->>'$[0]', ?3, j.value->>'$[1]', j.value->>'$[2]', j.value->>'$[3]', j.value->>'$[4]', j.value->>'$[5]',
    j.value->>'$[6]', j.value->>'$[7]', j.value->>'$[8]', j.value->>'$[9]', j.value->>'$[10]', j.value->>'$[11]', ?4, ?5, j.value->>'$[12]'
  FROM json_each(?6) j
  ${dedupe === 'none' ? '' : `WHERE j.value->>'$[6]' IS NULL OR NOT ${known(dedupe, "j.value->>'$[6]'")}`}
  ORDER BY j.key`;

const REMOVE_SQL = `UPDATE dataset_records SET removed_version = (SELECT version FROM datasets WHERE id = ?2 AND project_id = ?1)
  WHERE project_id = ?1 AND dataset_id = ?2 AND removed_version IS NULL AND added_version < ${STAGED}
    AND record_id IN (SELECT value FROM json_each(?3))
  RETURNING record_id`;

/** Counts what the new version did; `edited` are ids both removed and added in it. */
const VERSION_SQL = `WITH d AS (SELECT id, project_id, version, record_count FROM datasets WHERE id = ?2 AND project_id = ?1),
  a AS (SELECT count(*) AS n FROM dataset_records x, d WHERE x.dataset_id = d.id AND x.added_version = d.version),
  r AS (SELECT count(*) AS n FROM dataset_records x, d WHERE x.dataset_id = d.id AND x.removed_version = d.version),
  e AS (SELECT count(*) AS n FROM dataset_records x, d WHERE x.dataset_id = d.id AND x.added_version = d.version
        AND EXISTS (SELECT 1 FROM dataset_records y WHERE y.dataset_id = d.id AND y.record_id = x.record_id AND y.removed_version = d.version))
  INSERT INTO dataset_versions (dataset_id, version, project_id, added, removed, edited, record_count, summary, created_by, created_at)
  SELECT d.id, d.version, d.project_id, a.n - e.n, r.n - e.n, e.n, d.record_count + a.n - r.n, ?3, ?4, ?5 FROM d, a, r, e`;

/** Bytes of staged rows held back, so a small change goes out in its commit batch. */
const STAGE_FLUSH_BYTES = 2 * 1024 * 1024;

function row(r: NewRecord): unknown[] {
  const v = r.values;
  const s = r.source;
  return [r.recordId, v.input, v.output, v.expectedOutput, v.metadata, s.kind, s.traceId ?? null, s.spanId ?? null, s.queueId ?? null,
    s.annotationId ?? null, s.ruleId ?? null, s.ruleVersion ?? null, v.sizeBytes];
}

/** One change to one dataset: `stage` the new records (any number of calls), then `commit` once. */
export class ChangeWriter {
  readonly #stagedAs = STAGED + Math.floor(Math.random() * 1e9);
  #pending: D1PreparedStatement[] = [];
  #pendingBytes = 0;
  #flushed = false;

  constructor(
    private readonly d1: D1Database,
    private readonly scope: ChangeScope,
  ) {}

  /** Adds records to the change (invisible until the commit). */
  async stage(records: NewRecord[]): Promise<void> {
    if (!records.length) return;
    const { projectId, datasetId, addedBy, dedupe } = this.scope;
    const insert = this.d1.prepare(insertSql(dedupe));
    for (const json of jsonChunks(records.map(row))) {
      this.#pending.push(insert.bind(projectId, datasetId, this.#stagedAs, addedBy, Date.now(), json));
      this.#pendingBytes += json.length;
    }
    if (this.#pendingBytes >= STAGE_FLUSH_BYTES) {
      this.#flushed = true;
      await this.d1.batch(this.#pending);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
  }

  /** Makes the staged records (and the removal of `remove`) the dataset's next version. */
  async commit({ remove = [], summary }: { remove?: string[]; summary: string }): Promise<ChangeResult> {
    if (!this.#flushed && !this.#pending.length && !remove.length) return { version: null, added: [], removed: [] };
    const d1 = this.d1;
    const { projectId, datasetId, addedBy, dedupe } = this.scope;
    const now = Date.now();
    const st = [...this.#pending];
    this.#pending = [];
    const bumpAt = st.length;
    st.push(d1.prepare('UPDATE datasets SET version = version + 1, updated_at = ?3 WHERE id = ?2 AND project_id = ?1 RETURNING version').bind(projectId, datasetId, now));
    const removeAt = st.length;
    if (remove.length) st.push(d1.prepare(REMOVE_SQL).bind(projectId, datasetId, JSON.stringify(remove)));
    if (dedupe !== 'none') {
      st.push(
        d1.prepare(`DELETE FROM dataset_records WHERE dataset_id = ?2 AND project_id = ?1 AND added_version = ?3 AND source_trace_id IS NOT NULL
          AND ${known(dedupe, 'dataset_records.source_trace_id')}`).bind(projectId, datasetId, this.#stagedAs),
      );
    }
    const addAt = st.length;
    st.push(
      d1.prepare(`UPDATE dataset_records SET added_version = (SELECT version FROM datasets WHERE id = ?2 AND project_id = ?1)
        WHERE dataset_id = ?2 AND project_id = ?1 AND added_version = ?3 RETURNING record_id, source_trace_id`).bind(projectId, datasetId, this.#stagedAs),
      d1.prepare(VERSION_SQL).bind(projectId, datasetId, summary, addedBy, now),
      d1.prepare(`UPDATE datasets SET record_count = (SELECT v.record_count FROM dataset_versions v WHERE v.dataset_id = datasets.id AND v.version = datasets.version)
        WHERE id = ?2 AND project_id = ?1`).bind(projectId, datasetId),
      // Nothing was added or removed after all (every trace was already there): take the version back.
      d1.prepare(`DELETE FROM dataset_versions WHERE dataset_id = ?2 AND project_id = ?1 AND added = 0 AND removed = 0 AND edited = 0
        AND version = (SELECT version FROM datasets WHERE id = ?2)`).bind(projectId, datasetId),
      d1.prepare(`UPDATE datasets SET version = version - 1 WHERE id = ?2 AND project_id = ?1
        AND NOT EXISTS (SELECT 1 FROM dataset_versions v WHERE v.dataset_id = datasets.id AND v.version = datasets.version)`).bind(projectId, datasetId),
    );
    const results = await d1.batch(st);
    const removed = remove.length ? (results[removeAt].results as { record_id: string }[]).map((r) => r.record_id) : [];
    const added = (results[addAt].results as { record_id: string; source_trace_id: string | null }[]).map((r) => ({ recordId: r.record_id, traceId: r.source_trace_id }));
    const version = (results[bumpAt].results as { version: number }[])[0]?.version ?? null;
    return { version: added.length || removed.length ? version : null, added, removed };
  }

  /** Drops what was staged (after a failure); best effort, as the rows are invisible anyway. */
  async abort(): Promise<void> {
    this.#pending = [];
    if (!this.#flushed) return;
    await this.d1
      .prepare('DELETE FROM dataset_records WHERE dataset_id = ? AND project_id = ? AND added_version = ?')
      .bind(this.scope.datasetId, this.scope.projectId, this.#stagedAs)
      .run()
      .catch(() => undefined);
  }
}
