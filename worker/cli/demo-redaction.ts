import { attr, type OtlpJsonRequest } from './synth.ts';

/**
 * One demo trace whose customer pastes a (test) card number and an (invented) API key into the
 * chat, so the demo shows redaction at work: the stored prompt carries [REDACTED:…] markers and
 * the trace header counts them. Both values are fake: 4242… is the networks' public test card.
 */
export function redactionDemoRequest(endMs: number): OtlpJsonRequest {
  const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');
  const traceId = hex(16);
  const rootId = hex(8);
  const start = endMs - 60 * 60_000;
  const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
  const question =
    "Billing keeps failing. My card is 4242 4242 4242 4242 (exp 12/29) and our integration uses the key sk-proj-7Hq2LmX9vR4tKp8WzN3bYc6JdF1sAe5U. Can you check what's wrong?";
  const answer =
    "Thanks — please don't share card numbers or API keys in chat; rotate that key now. I can see the last charge was declined by the bank, so retrying with another card should work.";
  const messages = (role: string, content: string) => JSON.stringify([{ role, parts: [{ type: 'text', content }] }]);
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'support-bot'), attr('service.version', '1.14.2'), attr('deployment.environment.name', 'production')] },
        scopeSpans: [
          {
            scope: { name: 'support-bot', version: '1.14.2' },
            spans: [
              {
                traceId, spanId: rootId, name: 'support turn', kind: 2,
                startTimeUnixNano: ns(start), endTimeUnixNano: ns(start + 2400),
                attributes: [attr('session.id', `sess-${hex(4)}`), attr('user.id', 'u-billing-demo')],
                events: [], status: { code: 1 },
              },
              {
                traceId, spanId: hex(8), parentSpanId: rootId, name: 'chat gpt-4o-mini', kind: 3,
                startTimeUnixNano: ns(start + 100), endTimeUnixNano: ns(start + 2300),
                attributes: [
                  attr('gen_ai.operation.name', 'chat'),
                  attr('gen_ai.provider.name', 'openai'),
                  attr('gen_ai.request.model', 'gpt-4o-mini'),
                  attr('gen_ai.usage.input_tokens', 96),
                  attr('gen_ai.usage.output_tokens', 48),
                  attr('gen_ai.input.messages', messages('user', question)),
                  attr('gen_ai.output.messages', messages('assistant', answer)),
                ],
                events: [], status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}
