import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeJson, decodeProtobuf } from '../../../worker/otlp/decode';
import type { NormalizedSpan } from '../../../worker/otlp/types';

/** Two spans (agent → chat) recorded by the real OpenTelemetry JS SDK. */
async function recordSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-bot', 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('sieve-test', '0.1.0');
  const parent = tracer.startSpan('invoke_agent support', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
  const child = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 3,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }]),
      },
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent('retry', { attempt: 1 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
  child.end();
  parent.end();
  // SimpleSpanProcessor exports asynchronously since SDK 3.
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

function expectSurvived(decoded: NormalizedSpan[], original: ReadableSpan[]): void {
  expect(decoded).toHaveLength(2);
  const [childIn, parentIn] = original;
  const child = decoded.find((s) => s.name === 'chat gpt-4o-mini');
  const parent = decoded.find((s) => s.name === 'invoke_agent support');
  expect(parent).toMatchObject({
    traceId: parentIn.spanContext().traceId,
    spanId: parentIn.spanContext().spanId,
    parentSpanId: null,
    kind: 'internal',
  });
  expect(child).toMatchObject({
    traceId: childIn.spanContext().traceId,
    spanId: childIn.spanContext().spanId,
    parentSpanId: parentIn.spanContext().spanId,
    kind: 'client',
    status: { code: 'error', message: 'upstream 503' },
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
    },
    resource: { 'service.name': 'support-bot', 'deployment.environment.name': 'test' },
    scope: { name: 'sieve-test', version: '0.1.0' },
  });
  expect(child?.events).toMatchObject([{ name: 'retry', attributes: { attempt: 1 } }]);
  const [startSec, startNanos] = childIn.startTime;
  expect(child?.startTimeUnixNano).toBe((BigInt(startSec) * 1_000_000_000n + BigInt(startNanos)).toString());
  expect(child!.endMs).toBeGreaterThanOrEqual(child!.startMs);
}

describe('decoding what the OpenTelemetry JS SDK exports', () => {
  it('decodes ProtobufTraceSerializer output with ids, attributes and timing intact', async () => {
    const spans = await recordSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const decoded = decodeProtobuf(bytes!);
    expect(decoded.rejected.count).toBe(0);
    expectSurvived(decoded.spans, spans);
  });

  it('decodes JsonTraceSerializer output (hex ids) the same way', async () => {
    const spans = await recordSpans();
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    const decoded = decodeJson(new TextDecoder().decode(bytes));
    expect(decoded.rejected.count).toBe(0);
    expectSurvived(decoded.spans, spans);
  });
});
