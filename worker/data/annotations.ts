import type { LabelValues } from '../schemas/label-schemas';
import { iso } from '../lib/time';

/** One review as exported: one row per (item, reviewer). */
export interface AnnotationExportRow {
  annotationId: string;
  queueId: string;
  traceId: string;
  reviewerId: string;
  reviewerName: string;
  schemaId: string;
  schemaVersion: number;
  values: LabelValues;
  notes: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  trace_id: string;
  reviewer_id: string;
  reviewer_name: string;
  schema_id: string;
  schema_version: number;
  values: string;
  notes: string | null;
  revision: number;
  created_at: number;
  updated_at: number;
}

const PAGE = 500;

/**
 * A queue's annotations in (created, id) order, read page by page on an index range, so an export
 * of any size holds one page in memory.
 */
export async function* queueAnnotations(d1: D1Database, { projectId, queueId }: { projectId: string; queueId: string }): AsyncGenerator<AnnotationExportRow> {
  let after: [number, string] = [-1, ''];
  for (;;) {
    const { results } = await d1
      .prepare(
        `SELECT id, trace_id, reviewer_id, reviewer_name, schema_id, schema_version, "values", notes, revision, created_at, updated_at
         FROM annotations WHERE queue_id = ? AND project_id = ? AND (created_at, id) > (?, ?)
         ORDER BY created_at, id LIMIT ?`,
      )
      .bind(queueId, projectId, after[0], after[1], PAGE)
      .all<Row>();
    for (const r of results) {
      yield {
        annotationId: r.id,
        queueId,
        traceId: r.trace_id,
        reviewerId: r.reviewer_id,
        reviewerName: r.reviewer_name,
        schemaId: r.schema_id,
        schemaVersion: r.schema_version,
        values: JSON.parse(r.values) as LabelValues,
        notes: r.notes,
        revision: r.revision,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
      };
    }
    const last = results[results.length - 1];
    if (results.length < PAGE || !last) return;
    after = [last.created_at, last.id];
  }
}
