import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, inject, it } from 'vitest';

const baseUrl = inject('baseUrl');
const apiKey = inject('apiKey');

/** Emits a two-span LLM trace through a real OpenTelemetry SDK and exporter; returns its trace id. */
async function emit(exporter: SpanExporter, model: string): Promise<string> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'exporter-test', 'deployment.environment.name': 'ci' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('sieve-e2e');
  const root = tracer.startSpan('answer question', { attributes: { 'session.id': 'sess-e2e' } });
  const llm = tracer.startSpan(
    `chat ${model}`,
    {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        'gen_ai.usage.input_tokens': 321,
        'gen_ai.usage.output_tokens': 54,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'How do I reset my password?' }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'Open Settings → Security → Reset.' }], finish_reason: 'stop' },
        ]),
      },
    },
    trace.setSpan(context.active(), root),
  );
  llm.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

async function fetchTrace(traceId: string): Promise<any> {
  const res = await fetch(`${baseUrl}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(res.status).toBe(200);
  return res.json();
}

describe('POST /v1/traces from real OpenTelemetry exporters', () => {
  it('stores what @opentelemetry/exporter-trace-otlp-proto sends', async () => {
    const exporter = new ProtoExporter({ url: `${baseUrl}/v1/traces`, headers: { authorization: `Bearer ${apiKey}` } });
    const traceId = await emit(exporter, 'gpt-4o-mini');
    const body = await fetchTrace(traceId);
    expect(body.trace).toMatchObject({ name: 'answer question', service: 'exporter-test', environment: 'ci', model: 'gpt-4o-mini', inputTokens: 321, outputTokens: 54, spanCount: 2 });
    expect(body.trace.inputPreview).toContain('reset my password');
    expect(body.trace.outputPreview).toContain('Settings → Security');
  });

  it('stores what @opentelemetry/exporter-trace-otlp-http (JSON) sends', async () => {
    const exporter = new HttpJsonExporter({ url: `${baseUrl}/v1/traces`, headers: { 'x-api-key': apiKey } });
    const traceId = await emit(exporter, 'gpt-4.1');
    const body = await fetchTrace(traceId);
    expect(body.trace).toMatchObject({ model: 'gpt-4.1', inputTokens: 321, outputTokens: 54, sessionId: 'sess-e2e' });
    const llm = body.spans.find((s: any) => s.llm.kind === 'llm');
    expect(llm.llm.outputMessages[0].content).toBe('Open Settings → Security → Reset.');
  });
});
