import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { indexTraces, type TraceInput } from '../../../worker/data/trace-write';
import { prepareBatch } from '../../../worker/ingest/rows';
import { decodeJson } from '../../../worker/otlp/decode';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, type JsonSpanInput } from '../helpers';

/** One request's spans through the real ingest preparation, indexed as ingest indexes them. */
async function index(projectId: string, spans: JsonSpanInput[], tracesPerWrite?: number) {
  const batch = prepareBatch(decodeJson(otlpJson(spans)));
  const key = `t/${projectId}/test-${hex(4)}`;
  await env.PAYLOADS.put(key, batch.payload);
  const inputs: TraceInput[] = batch.traces.map((t) => ({ traceId: t.traceId, segment: [key, t.offset, t.length], spans: t.spans }));
  return indexTraces(env.DB, projectId, key, inputs, batch.evaluations, { now: Date.now(), loadSpans: async () => [], tracesPerWrite });
}

function wide(traces: number): JsonSpanInput[] {
  return Array.from({ length: traces }, (_, i) => ({ traceId: hex(16), spanId: hex(8), name: `root ${i}`, startMs: 1_700_000_000_000 + i }));
}

function narrow(traces: number, spansPerTrace: number): JsonSpanInput[] {
  return Array.from({ length: traces }, () => {
    const traceId = hex(16);
    const root = { traceId, spanId: hex(8), name: 'agent', startMs: 1_700_000_000_000 };
    return [root, ...Array.from({ length: spansPerTrace - 1 }, () => llmSpan(traceId, root.spanId, { startMs: 1_700_000_000_010 }))];
  }).flat();
}

describe('indexTraces', () => {
  it('reads and writes D1 rows in proportion to a request, never to traces × traces (4,000 one-span traces vs 40 × 100)', async () => {
    const { projectId } = await makeProject();
    const small = await index(projectId, wide(1000));
    const w = await index(projectId, wide(4000));
    const n = await index(projectId, narrow(40, 100));
    expect(w.traceIds).toHaveLength(4000);
    expect(n.traceIds).toHaveLength(40);
    // A bounded number of rows per trace (its rows, their index entries, the signal refresh), the same
    // at 1,000 and 4,000 traces: the old per-batch recompute read traces × traces rows for a wide request.
    expect(w.rowsRead / 4000).toBeLessThan(25);
    expect(w.rowsRead / 4000).toBeLessThan((small.rowsRead / 1000) * 1.2);
    expect(w.rowsWritten / 4000).toBeLessThan((small.rowsWritten / 1000) * 1.2);
    // The narrow request reads per trace, not per span.
    expect(n.rowsRead).toBeLessThan(40 * 25);
    // Bounded transactions: 250 traces each, so no write holds the database for the whole request.
    expect(w.transactions).toBe(Math.ceil(4000 / 250));
    expect(n.transactions).toBe(1);
  });

  it('answers a repeat of a request with no new rows and tells that nothing points into its object', async () => {
    const { projectId } = await makeProject();
    const spans = narrow(3, 4);
    const first = await index(projectId, spans);
    const again = await index(projectId, spans);
    expect([first.traceIds.length, first.referencing]).toEqual([3, 3]);
    expect([again.traceIds.length, again.referencing, again.rowsWritten]).toEqual([0, 0, 0]);
  });

  it('merges a trace whose spans come in many requests into the same row as one request would', async () => {
    const { projectId, key } = await makeProject();
    const traceId = hex(16);
    const root = { traceId, spanId: hex(8), name: 'agent', startMs: 1_700_000_000_000, durationMs: 900 };
    const calls = [0, 1, 2, 3].map((i) => llmSpan(traceId, root.spanId, { startMs: 1_700_000_000_100 + i * 100, inTok: 10 + i, outTok: 5, input: `question ${i}`, output: `answer ${i}` }));
    // Children first, the root last, one request each, one of them twice (an exporter retry).
    for (const s of [calls[2], calls[0], calls[3], calls[0], calls[1], root]) expect((await postOtlp(otlpJson([s]), key)).status).toBe(200);
    const other = { projectId: (await makeProject()).projectId };
    const copy = narrowCopy([root, ...calls]);
    await index(other.projectId, copy);
    const a = (await call('GET', `/api/v1/traces/${traceId}`, { key })).body;
    const b = await env.DB.prepare('SELECT * FROM traces WHERE project_id = ? AND trace_id = ?').bind(other.projectId, copy[0].traceId).first<Record<string, unknown>>();
    expect(a.spans).toHaveLength(5);
    expect([a.trace.spanCount, a.trace.llmCallCount, a.trace.inputTokens, a.trace.outputTokens]).toEqual([5, 4, 46, 20]);
    expect([a.trace.inputPreview, a.trace.outputPreview]).toEqual([b!.input_preview, b!.output_preview]);
    expect([a.trace.spanCount, a.trace.inputTokens, a.trace.durationMs]).toEqual([b!.span_count, b!.input_tokens, b!.duration_ms]);
  });
});

/** The same spans under a fresh trace id (for a second project). */
function narrowCopy(spans: JsonSpanInput[]): JsonSpanInput[] {
  const traceId = hex(16);
  return spans.map((s) => ({ ...s, traceId }));
}
