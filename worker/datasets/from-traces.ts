import { ChangeWriter, type NewRecord } from '../data/dataset-records';
import { tracesInDataset } from '../data/dataset-reads';
import { getTraceDetail } from '../data/trace-detail';
import { listTraces } from '../data/trace-index';
import { Unprocessable } from '../lib/errors';
import { FieldMapping, MAX_TRACES_PER_REQUEST, type AddFromTracesResponse, type FieldMappingInput } from '../schemas/datasets';
import { filterFromParams, TraceQueryParams, type TraceFilter } from '../schemas/filters';
import { mapTrace, type AnnotationContext } from './mapping';
import { loadDataset, prepareRecord, schemaOf } from './service';
import type { ProjectEnv } from '../data/shards';

/** Traces read from R2 and mapped per step: memory holds one step, whatever the number of traces. */
const STEP = 50;
const CONCURRENCY = 8;

export interface FromTracesOptions {
  /** Set when an automation adds: append-only, and a trace whose record a person removed is not re-added. */
  source?: { ruleId: string; ruleVersion: number };
  allowDuplicates?: boolean;
  /** Who asked (user id or `key:<id>`); automations are recorded as `rule:<id>`. */
  addedBy?: string;
  /** Reviews per trace, when the traces come from an annotation queue (provenance and mapping). */
  annotations?: ReadonlyMap<string, AnnotationContext>;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Adds one record per trace, mapped by `mapping`, as one new version. Traces the dataset already has
 * a record of are skipped (unless `allowDuplicates`); the automations call this with `source`.
 */
export async function addRecordsFromTraces(
  env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>,
  projectId: string,
  datasetId: string,
  traceIds: string[],
  mappingInput: FieldMappingInput = {},
  opts: FromTracesOptions = {},
): Promise<AddFromTracesResponse> {
  const mapping = FieldMapping.parse(mappingInput);
  const row = await loadDataset(env, projectId, datasetId);
  const schema = schemaOf(row);
  const ids = [...new Set(traceIds.map((t) => t.toLowerCase()))];
  const dedupe = opts.allowDuplicates ? 'none' : opts.source ? 'ever' : 'live';
  const already = dedupe === 'none' ? new Set<string>() : await tracesInDataset(env.shard, { projectId, datasetId, traceIds: ids, ever: dedupe === 'ever' });
  const todo = ids.filter((id) => !already.has(id));
  const addedBy = opts.source ? `rule:${opts.source.ruleId}` : (opts.addedBy ?? 'api');
  const writer = new ChangeWriter(env.shard, { projectId, datasetId, addedBy, dedupe });
  const notFound: string[] = [];
  const rejected: AddFromTracesResponse['rejected'] = [];
  try {
    for (let i = 0; i < todo.length; i += STEP) {
      const step = todo.slice(i, i + STEP);
      const details = await mapLimit(step, CONCURRENCY, (id) => getTraceDetail(env.shard, env.PAYLOADS, projectId, id));
      const records: NewRecord[] = [];
      details.forEach((detail, k) => {
        const traceId = step[k];
        if (!detail) return void notFound.push(traceId);
        const annotation = opts.annotations?.get(traceId);
        const mapped = mapTrace(detail, mapping, annotation);
        if ('problem' in mapped) return void rejected.push({ traceId, message: mapped.problem });
        const rec = prepareRecord(mapped.values, schema, {
          kind: 'trace',
          traceId,
          spanId: mapped.spanId,
          ruleId: opts.source?.ruleId,
          ruleVersion: opts.source?.ruleVersion,
          queueId: annotation?.queueId,
          annotationId: annotation?.id,
        });
        if ('problem' in rec) rejected.push({ traceId, message: rec.problem });
        else records.push(rec);
      });
      await writer.stage(records);
    }
    const summary = opts.source ? `Added by automation ${opts.source.ruleId} (v${opts.source.ruleVersion})` : 'Added from traces';
    const result = await writer.commit({ summary });
    // A trace staged here but dropped at commit was added by a concurrent change meanwhile.
    const accounted = new Set([...result.added.map((a) => a.traceId), ...notFound, ...rejected.map((r) => r.traceId)]);
    const skipped = ids.filter((id) => already.has(id) || !accounted.has(id));
    return { version: result.version, added: result.added.map((a) => ({ recordId: a.recordId, traceId: a.traceId ?? '' })), skipped, notFound, rejected };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** The explorer's query string (`service=x&eval=faithfulness:lt:0.5`) as a filter; paging and sort keys are ignored. */
export function filterFromQueryString(qs: string): TraceFilter {
  const params = new URLSearchParams(qs.startsWith('?') ? qs.slice(1) : qs);
  const obj: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    if (['cursor', 'limit', 'sort', 'order', 'sortEval'].includes(key)) continue;
    const all = params.getAll(key);
    obj[key] = all.length > 1 ? all : all[0];
  }
  return filterFromParams(TraceQueryParams.parse(obj)).filter;
}

/**
 * Every trace matching the filter ("select all matching" means the filter, not the page shown), paged
 * through the trace index; more than `limit` is a 422 so nothing is added half-way.
 */
export async function traceIdsMatching(d1: D1Database, projectId: string, filter: TraceFilter, limit = MAX_TRACES_PER_REQUEST): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTraces(d1, projectId, filter, { cursor, limit: 200, sort: 'time', order: 'desc' });
    ids.push(...page.data.map((t) => t.traceId));
    if (ids.length > limit) {
      throw new Unprocessable(`The filter matches more than ${limit.toLocaleString('en-US')} traces; narrow it (a shorter time range, more conditions) or add in several requests.`, { limit });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}
