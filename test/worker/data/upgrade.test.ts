import { applyD1Migrations, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getTraceSummary, listSegments } from '../../../worker/data/trace-index';
import { indexTraces } from '../../../worker/data/trace-write';
import { readSegments } from '../../../worker/ingest/payloads';
import { prepareBatch } from '../../../worker/ingest/rows';
import { spanInfo } from '../../../worker/ingest/span-info';
import { decodeJson } from '../../../worker/otlp/decode';
import { hex, llmSpan, otlpJson } from '../helpers';

describe('migration 0013 (lean index) on a database written before it', () => {
  it('keeps every trace readable from its old NDJSON objects, and merges a later span with the old ones', async () => {
    const db = env.UPGRADE_TEST_DB;
    const before = env.TEST_MIGRATIONS.filter((m) => m.name < '0013');
    const after = env.TEST_MIGRATIONS.filter((m) => m.name >= '0013');
    await applyD1Migrations(db, before);

    // What the old ingest stored: one NDJSON object per request (spans grouped by trace), a span row per span
    // with its byte range, and the trace row recomputed from them.
    const projectId = 'legacy';
    const traceId = hex(16);
    const root = { traceId, spanId: hex(8), name: 'agent', startMs: 1_700_000_000_000, durationMs: 500 };
    const call1 = llmSpan(traceId, root.spanId, { startMs: 1_700_000_000_100, inTok: 30, outTok: 7, input: 'What is the refund window?', output: '30 days.' });
    const spans = decodeJson(otlpJson([root, call1])).spans;
    const key = `spans/${projectId}/2025/01/01/1-legacy.ndjson`;
    const lines = spans.map((s) => new TextEncoder().encode(JSON.stringify(s) + '\n'));
    const body = new Uint8Array(lines.reduce((n, l) => n + l.byteLength, 0));
    let offset = 0;
    const ranges = lines.map((l) => {
      body.set(l, offset);
      offset += l.byteLength;
      return [offset - l.byteLength, l.byteLength];
    });
    await env.PAYLOADS.put(key, body);
    await db.batch([
      ...spans.map((s, i) =>
        db.prepare(`INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, name, kind, start_ms, end_ms, status, payload_key, payload_offset, payload_length)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?)`).bind(projectId, s.traceId, s.spanId, s.parentSpanId, s.name, i ? 'llm' : 'agent', Math.round(s.startMs), Math.round(s.endMs), key, ranges[i][0], ranges[i][1]),
      ),
      db.prepare(`INSERT INTO traces (project_id, trace_id, root_span_id, name, status, span_count, llm_call_count, start_ms, end_ms, duration_ms, input_tokens, output_tokens, total_tokens, input_preview, output_preview)
        VALUES (?, ?, ?, 'agent', 'ok', 2, 1, ?, ?, 500, 30, 7, 37, ?, ?)`).bind(projectId, traceId, root.spanId, 1_700_000_000_000, 1_700_000_000_500, 'x'.repeat(600), '30 days.'),
    ]);

    await applyD1Migrations(db, after);

    const tables = await db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('spans', 'trace_spans', 'payload_objects')`).all<{ name: string }>();
    expect(tables.results.map((t) => t.name).sort()).toEqual(['payload_objects', 'trace_spans']);
    const segments = await listSegments(db, projectId, traceId);
    expect(segments).toEqual([[key, 0, offset]]);
    const read = await readSegments(env.PAYLOADS, segments);
    expect(read.map((s) => s.spanId)).toEqual(spans.map((s) => s.spanId));
    const summary = await getTraceSummary(db, projectId, traceId);
    expect(summary?.inputPreview).toHaveLength(200); // clipped to what the lean index keeps
    expect((await db.prepare('SELECT traces FROM payload_objects WHERE key = ?').bind(key).first())?.traces).toBe(1);

    // A late span of the old trace: its state is rebuilt from the old object, then merged.
    const late = llmSpan(traceId, root.spanId, { startMs: 1_700_000_000_300, inTok: 12, outTok: 3 });
    const batch = prepareBatch(decodeJson(otlpJson([late, call1])));
    const newKey = `t/${projectId}/late`;
    await env.PAYLOADS.put(newKey, batch.payload);
    const result = await indexTraces(db, projectId, newKey, batch.traces.map((t) => ({ traceId: t.traceId, segment: [newKey, t.offset, t.length], spans: t.spans })), [], {
      now: Date.now(),
      loadSpans: async (s) => (await readSegments(env.PAYLOADS, s)).map((x) => spanInfo(x)),
    });
    expect(result.traceIds).toEqual([traceId]);
    const merged = await getTraceSummary(db, projectId, traceId);
    expect([merged?.spanCount, merged?.llmCallCount, merged?.inputTokens, merged?.outputTokens]).toEqual([3, 2, 42, 10]);
    expect(await readSegments(env.PAYLOADS, await listSegments(db, projectId, traceId))).toHaveLength(3);
  });
});
