import { expect } from 'vitest';
import { call, hex, llmSpan, otlpJson, postOtlp, type Auth } from '../helpers';
import { submit, type QueueProject } from '../queues/fixtures';

/** Shared set-up of the calibration tests: traces, reviews and evaluator results through the real API. */

export interface TraceSpec {
  startMs?: number;
  model?: string;
  input?: string;
}

/** Ingests one single-span trace per spec and returns the ids in order. */
export async function ingest(key: string, specs: TraceSpec[]): Promise<string[]> {
  const ids = specs.map(() => hex(16));
  const spans = specs.map((s, i) => llmSpan(ids[i], undefined, { startMs: s.startMs, model: s.model, input: s.input ?? `Question ${i}` }));
  expect((await postOtlp(otlpJson(spans), key)).status).toBe(200);
  return ids;
}

/** A queue over the traces; `settings` as POST /api/v1/queues takes them. */
export async function queueOver(p: QueueProject, traceIds: string[], settings: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/api/v1/queues', p.admin, { name: `Review ${hex(3)}`, ...settings });
  expect(res.status, res.text).toBe(201);
  const add = await call('POST', `/api/v1/queues/${res.body.id}/items`, p.admin, { traceIds });
  expect(add.body.added, add.text).toHaveLength(traceIds.length);
  return res.body.id;
}

/** `values[i]` submitted for trace i by `reviewer`. */
export async function review(queueId: string, traceIds: string[], reviewer: Auth, values: Record<string, unknown>[]): Promise<void> {
  for (const [i, t] of traceIds.entries()) {
    const res = await submit(queueId, t, reviewer, values[i]);
    expect(res.status, res.text).toBe(200);
  }
}

export const verdicts = (v: ('pass' | 'fail')[]) => v.map((verdict) => ({ verdict }));

export async function evaluate(auth: Auth, items: Record<string, unknown>[]): Promise<void> {
  const res = await call('POST', '/api/v1/evaluations', auth, { items });
  expect(res.status, res.text).toBe(200);
  expect(res.body.rejected, res.text).toBe(0);
}

/** GET an insights path with query params (arrays repeat the key). */
export function insight(auth: Auth, path: string, params: Record<string, string | number | string[]>) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
  return call('GET', `/api/v1/insights${path}?${qs}`, auth);
}
