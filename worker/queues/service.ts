import { getSchemaVersion, defaultSchemaId, ensureDefaultSchema, getLabelSchema } from '../data/label-schemas';
import { listMembers } from '../data/members';
import { createQueue as insertQueue, getQueueWithFields, updateQueue as patchQueue, type QueueSettings } from '../data/queues';
import { existingTraceIds } from '../data/trace-index';
import { getDb } from '../db/client';
import { Conflict, HttpError, NotFound, Unprocessable } from '../lib/errors';
import type { AddItemsResponse, CreateQueueBody, QueueResponse, UpdateQueueBody } from '../schemas/queues';
import type { AnnotationQueue } from './annotation-queue';
import type { ItemSource, Outcome, QueueConfig } from './types';
import type { ProjectEnv } from '../data/shards';

/** The queue's Durable Object: one per queue, named by the queue id. */
export function queueStub(env: Pick<Env, 'ANNOTATION_QUEUE'>, queueId: string): DurableObjectStub<AnnotationQueue> {
  return env.ANNOTATION_QUEUE.get(env.ANNOTATION_QUEUE.idFromName(queueId));
}

/** A command's value, or its error as the HttpError the API answers with. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  const e = outcome.error;
  throw new HttpError(e.status, e.code, e.message, e.details);
}

export interface LoadedQueue {
  queue: QueueResponse;
  cfg: QueueConfig;
}

const CACHE_MS = 5_000;
const cache = new Map<string, { loaded: LoadedQueue; until: number }>();

/**
 * The project's queue and the settings its object runs on; 404 when the project has no such queue.
 * Kept 5 s per isolate, since every claim and submit needs it: a change made elsewhere reaches this
 * isolate's checks within that time, while the object itself keeps the newest settings it has seen.
 */
export async function loadQueue(env: ProjectEnv, projectId: string, queueId: string): Promise<LoadedQueue> {
  const key = `${projectId}/${queueId}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.loaded;
  const loaded = await readQueue(env, projectId, queueId);
  if (cache.size > 1000) cache.clear();
  cache.set(key, { loaded, until: now + CACHE_MS });
  return loaded;
}

async function readQueue(env: Pick<ProjectEnv, 'shard'>, projectId: string, queueId: string): Promise<LoadedQueue> {
  const found = await getQueueWithFields(getDb(env.shard), { projectId, queueId });
  if (!found) throw new NotFound('Queue');
  const { queue, fields } = found;
  const cfg: QueueConfig = {
    queueId: queue.id,
    projectId,
    revision: Date.parse(queue.updatedAt),
    status: queue.status,
    reviewersPerItem: queue.reviewersPerItem,
    leaseSeconds: queue.leaseSeconds,
    blind: queue.blind,
    schemaId: queue.schemaId,
    schemaVersion: queue.schemaVersion,
    fields,
    accessMode: queue.accessMode,
    reviewers: queue.reviewers,
  };
  return { queue, cfg };
}

/** Assigned reviewers must be members who may review (reviewers and admins). */
async function checkReviewers(env: Pick<ProjectEnv, 'control'>, projectId: string, reviewers: string[] | undefined): Promise<void> {
  if (!reviewers?.length) return;
  const members = await listMembers(getDb(env.control), { projectId });
  const allowed = new Set(members.filter((m) => m.role !== 'viewer').map((m) => m.userId));
  const bad = reviewers.filter((r) => !allowed.has(r));
  if (bad.length) throw new Unprocessable(`Not a member who may review: ${bad.join(', ')}.`, [{ path: 'reviewers', message: 'each must be a reviewer or admin of this project' }]);
}

export async function createQueue(env: ProjectEnv, projectId: string, body: CreateQueueBody, createdBy: string | null): Promise<QueueResponse> {
  const db = getDb(env.shard);
  if (!body.schemaId) await ensureDefaultSchema(db, { projectId });
  const schemaId = body.schemaId ?? defaultSchemaId(projectId);
  const schema = await getLabelSchema(db, { projectId, schemaId });
  if (!schema) throw new NotFound('Label schema');
  const schemaVersion = body.schemaVersion ?? schema.version;
  if (!(await getSchemaVersion(db, { projectId, schemaId, version: schemaVersion }))) throw new NotFound(`Version ${schemaVersion} of the label schema`);
  await checkReviewers(env, projectId, body.reviewers);
  const { schemaId: _s, schemaVersion: _v, ...rest } = body;
  const queue = await insertQueue(db, { ...rest, schemaId, schemaVersion, projectId, createdBy });
  await configure(env, projectId, queue.id);
  return queue;
}

/** Pushes the queue's settings to its object now (commands also carry them), so live views update. */
async function configure(env: ProjectEnv, projectId: string, queueId: string): Promise<LoadedQueue> {
  cache.delete(`${projectId}/${queueId}`);
  const loaded = await loadQueue(env, projectId, queueId);
  unwrap(await queueStub(env, queueId).configure(loaded.cfg));
  return loaded;
}

export async function updateQueue(env: ProjectEnv, projectId: string, queueId: string, body: UpdateQueueBody): Promise<QueueResponse> {
  const db = getDb(env.shard);
  const { queue } = await readQueue(env, projectId, queueId);
  const patch: Partial<QueueSettings> = { ...body, schemaVersion: undefined };
  if (body.schemaVersion !== undefined) {
    const schema = await getLabelSchema(db, { projectId, schemaId: queue.schemaId });
    const target = body.schemaVersion === 'latest' ? (schema?.version ?? queue.schemaVersion) : body.schemaVersion;
    if (target < queue.schemaVersion) throw new Conflict(`The queue is on version ${queue.schemaVersion}; it only moves to newer versions.`);
    if (!schema?.versions?.some((v) => v.version === target)) throw new NotFound(`Version ${target} of the label schema`);
    patch.schemaVersion = target;
  }
  await checkReviewers(env, projectId, body.reviewers);
  if (!(await patchQueue(db, { projectId, queueId, patch }))) throw new NotFound('Queue');
  return (await configure(env, projectId, queueId)).queue;
}

/** Archived queues keep their items and annotations and take no new claims or items. */
export async function archiveQueue(env: ProjectEnv, projectId: string, queueId: string): Promise<QueueResponse> {
  const { queue } = await readQueue(env, projectId, queueId);
  if (queue.status !== 'archived') await patchQueue(getDb(env.shard), { projectId, queueId, patch: { status: 'archived', archivedAt: Date.now() } });
  return (await configure(env, projectId, queueId)).queue;
}

/**
 * Adds traces to a queue: the one entry point for the API and for automations. Traces the project
 * does not have are reported in `notFound`; traces someone removed from the queue are never added
 * back (`removed`) unless `restore` (a person re-adding them on purpose). 404 for an unknown queue,
 * 409 for an archived one.
 */
export async function addItems(
  env: ProjectEnv,
  projectId: string,
  queueId: string,
  traceIds: string[],
  opts: { source?: ItemSource; restore?: boolean } = {},
): Promise<AddItemsResponse> {
  const { cfg } = await loadQueue(env, projectId, queueId);
  if (cfg.status === 'archived') throw new Conflict('This queue is archived: it takes no new items.');
  const ids = [...new Set(traceIds.map((t) => t.toLowerCase()))];
  const known = await existingTraceIds(env.shard, projectId, ids);
  const result = unwrap(await queueStub(env, queueId).addItems(cfg, ids.filter((t) => known.has(t)), opts.source ?? null, opts.restore ?? false));
  return { ...result, notFound: ids.filter((t) => !known.has(t)) };
}
