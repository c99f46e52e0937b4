import type { ProjectEnv } from '../data/shards';
import { getTraceDetail } from '../data/trace-detail';
import { Forbidden, NotFound } from '../lib/errors';
import type { Principal } from '../middleware/auth';
import type { ItemContextResponse } from '../schemas/queues';
import type { TraceDetailResponse } from '../schemas/traces';
import { GRANT_HEADER, REVIEWER_HEADER } from './live';
import type { LiveGrant } from './live-access';
import { loadQueue, queueStub, unwrap, type LoadedQueue } from './service';
import type { Reviewer } from './types';

/** A person reviews as their user id; a script with an admin key as `key:<key id>`. */
export function reviewerOf(p: Principal): Reviewer {
  return p.kind === 'user' ? { id: p.userId, name: p.name || p.email } : { id: `key:${p.keyId}`, name: `API key ${p.keyId.slice(0, 8)}` };
}

/** The queue, if this caller may review in it: in an assigned queue only the listed users may. */
export async function loadForReview(env: ProjectEnv, projectId: string, queueId: string, p: Principal): Promise<LoadedQueue & { reviewer: Reviewer }> {
  const loaded = await loadQueue(env, projectId, queueId);
  const reviewer = reviewerOf(p);
  if (loaded.queue.accessMode === 'assigned' && !loaded.queue.reviewers.includes(reviewer.id)) {
    throw new Forbidden('This queue is open to its assigned reviewers only.');
  }
  return { ...loaded, reviewer };
}

/** The OTel evaluation events that would show evaluators' verdicts inside the spans. */
const EVALUATION_EVENT = 'gen_ai.evaluation.result';

/**
 * What a reviewer of a blind queue may see before submitting: the trace without any evaluation
 * result (the list, the per-evaluator scores, the evaluation events inside spans).
 */
export function withoutEvaluations(t: TraceDetailResponse): TraceDetailResponse {
  return {
    ...t,
    trace: { ...t.trace, scores: [], evalCount: 0 },
    evaluations: [],
    spans: t.spans.map((s) => ({ ...s, events: s.events.filter((e) => e.name !== EVALUATION_EVENT) })),
  };
}

/** `GET /queues/:queueId/items/:itemId`: the trace, the caller's review and, unless blind, the rest. */
export async function itemContext(env: ProjectEnv, projectId: string, queueId: string, traceId: string, p: Principal): Promise<ItemContextResponse<TraceDetailResponse>> {
  const { queue, cfg, reviewer } = await loadForReview(env, projectId, queueId, p);
  const [ctx, trace] = await Promise.all([
    queueStub(env, queueId).itemContext(cfg, traceId, reviewer.id).then(unwrap),
    getTraceDetail(env.shard, env.PAYLOADS, projectId, traceId),
  ]);
  if (!trace) throw new NotFound('Trace');
  const hidden = queue.blind && ctx.review?.status !== 'submitted';
  return {
    queue: { id: queue.id, name: queue.name, guidelines: queue.guidelines, blind: queue.blind, schemaId: cfg.schemaId, schemaVersion: cfg.schemaVersion, fields: cfg.fields },
    item: ctx.item,
    review: ctx.review,
    trace: hidden ? withoutEvaluations(trace) : trace,
    otherReviews: hidden ? null : ctx.others,
    hidden,
  };
}

/**
 * Hands a WebSocket upgrade to the queue's object. The request to the object is built here, never
 * forwarded, so a client cannot smuggle in the reviewer header the object trusts.
 */
export async function connectLive(env: ProjectEnv, projectId: string, queueId: string, p: Principal, upgrade: string | undefined): Promise<Response> {
  const { cfg, reviewer } = await loadForReview(env, projectId, queueId, p);
  if (upgrade?.toLowerCase() !== 'websocket') {
    return Response.json({ error: { code: 'upgrade_required', message: 'Connect with a WebSocket (Upgrade: websocket).' } }, { status: 426 });
  }
  const stub = queueStub(env, queueId);
  unwrap(await stub.configure(cfg));
  const grant: LiveGrant = {
    projectId,
    reviewerId: reviewer.id,
    credential: p.kind === 'user' ? { kind: 'session', tokenHash: p.sessionTokenHash, userId: p.userId } : { kind: 'key', keyId: p.keyId },
  };
  return stub.fetch('https://annotation-queue/live', {
    headers: { upgrade: 'websocket', [REVIEWER_HEADER]: JSON.stringify(reviewer), [GRANT_HEADER]: JSON.stringify(grant) },
  });
}
