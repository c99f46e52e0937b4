import { expect } from 'vitest';
import { call, hex, llmSpan, otlpJson, postOtlp, sattr, type Auth } from '../helpers';
import { submit, type QueueProject } from '../queues/fixtures';

/** A trace as the segment insights see it: its start and the attributes they split by. */
export interface TraceSpec {
  startMs: number;
  model?: string;
  promptVersion?: string;
  environment?: string;
  tags?: string[];
}

/** Ingests one single-span trace per spec through OTLP; returns their ids in order. */
export async function ingest(key: string, specs: TraceSpec[]): Promise<string[]> {
  const ids = specs.map(() => hex(16));
  const spans = specs.map((s, i) => {
    const span = llmSpan(ids[i], undefined, { model: s.model, startMs: s.startMs });
    if (s.promptVersion) span.attributes!.push(sattr('sieve.prompt_version', s.promptVersion));
    if (s.environment) span.attributes!.push(sattr('deployment.environment.name', s.environment));
    if (s.tags) span.attributes!.push(sattr('sieve.tags', JSON.stringify(s.tags)));
    return span;
  });
  const res = await postOtlp(otlpJson(spans), key);
  expect(res.status, await res.text()).toBe(200);
  return ids;
}

/** A queue (starter schema: `verdict`, multi-select `failure_modes`) holding these traces. */
export async function queueOf(p: QueueProject, traceIds: string[], settings: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/api/v1/queues', p.admin, { name: `Review ${hex(3)}`, ...settings });
  expect(res.status, res.text).toBe(201);
  if (traceIds.length) {
    const add = await call('POST', `/api/v1/queues/${res.body.id}/items`, p.admin, { traceIds });
    expect(add.status, add.text).toBe(200);
  }
  return res.body.id;
}

/** Submits one review through the queue API. */
export async function label(queueId: string, traceId: string, auth: Auth, values: Record<string, unknown>): Promise<void> {
  const res = await submit(queueId, traceId, auth, values);
  expect(res.status, res.text).toBe(200);
}

/** Records an admin's final label through the adjudication API. */
export async function adjudicate(queueId: string, traceId: string, auth: Auth, values: Record<string, unknown>): Promise<void> {
  const res = await call('PUT', `/api/v1/queues/${queueId}/items/${traceId}/adjudication`, auth, { values });
  expect(res.status, res.text).toBe(200);
}

/** A GET of an insights route with these query parameters (repeat a key with an array). */
export function insights(path: string, auth: Auth, params: Record<string, string | number | string[] | undefined>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of v === undefined ? [] : Array.isArray(v) ? v : [v]) q.append(k, String(x));
  return call('GET', `/api/v1/insights/${path}?${q}`, auth);
}
