import { randomBytes } from 'node:crypto';

/** Test data sent the way applications send it: OTLP/JSON spans and signal batches. */

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/** A two-span chat trace in OTLP/JSON with GenAI attributes, as an instrumented app would send it. */
export function chatTrace(traceId: string, service: string, question: string, answer: string) {
  const rootId = hex(8);
  const end = BigInt(Date.now()) * 1_000_000n;
  const start = end - 1_500_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', service), str('deployment.environment.name', 'e2e')] },
        scopeSpans: [
          {
            scope: { name: 'ui-e2e' },
            spans: [
              { traceId, spanId: rootId, name: 'answer question', kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(end), attributes: [], status: {} },
              {
                traceId,
                spanId: hex(8),
                parentSpanId: rootId,
                name: 'chat gpt-4o-mini',
                kind: 3,
                startTimeUnixNano: String(start + 100_000_000n),
                endTimeUnixNano: String(end - 100_000_000n),
                attributes: [
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.provider.name', 'openai'),
                  str('gen_ai.request.model', 'gpt-4o-mini'),
                  int('gen_ai.usage.input_tokens', 120),
                  int('gen_ai.usage.output_tokens', 40),
                  str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }])),
                  str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' }])),
                ],
                status: {},
              },
            ],
          },
        ],
      },
    ],
  };
}

/** POSTs JSON with a project API key. */
export async function postJson(baseUrl: string, apiKey: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
