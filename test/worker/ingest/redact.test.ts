import { describe, expect, it } from 'vitest';
import { compileRedaction } from '../../../worker/ingest/redact';
import { decodeProtobuf } from '../../../worker/otlp/decode';
import { prepareBatch } from '../../../worker/ingest/rows';
import { RedactionConfig } from '../../../worker/schemas/projects';
import { spanWith } from '../semconv/span';

const defaults = compileRedaction(RedactionConfig.parse({}));
const KEY = 'sk-proj-4fJx9QmT2bWkLz7RvN8sYpC3hGdE1aUo';
const CARD = '4242 4242 4242 4242';

describe('compileRedaction: defaults', () => {
  it('redacts secrets and card numbers but not emails or phone numbers', () => {
    const r = defaults.text(`key ${KEY}, card ${CARD}, mail ann@example.com, phone +44 20 7946 0958`);
    expect(r.text).toBe('key [REDACTED:secret], card [REDACTED:credit_card], mail ann@example.com, phone +44 20 7946 0958');
    expect(r.counts).toEqual({ secret: 1, credit_card: 1 });
  });

  it('returns the same span object when nothing matches', () => {
    const span = spanWith({ 'gen_ai.request.model': 'gpt-4o', 'input.value': 'What is the refund policy?' });
    const r = defaults.span(span);
    expect(r.redactions).toBe(0);
    expect(r.span).toBe(span);
  });
});

describe('compileRedaction: spans', () => {
  it('redacts inside JSON-encoded messages leaf by leaf and keeps the JSON valid', () => {
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `my key is "${KEY}" and card ${CARD}` }] }]);
    const { span, redactions } = defaults.span(spanWith({ 'gen_ai.input.messages': messages }));
    expect(redactions).toBe(2);
    const parsed = JSON.parse(span.attributes['gen_ai.input.messages'] as string);
    expect(parsed[0].parts[0].content).toBe('my key is "[REDACTED:secret]" and card [REDACTED:credit_card]');
  });

  it('rewrites only the redacted literals of JSON text: big integers, spacing and escapes stay exact', () => {
    const raw = `{ "id": 12345678901234567890, "at": 1.50, "note": "caf\\u00e9 \\"${KEY}\\"",\n  "card": 4242424242424242, "n": [1e3] }`;
    const { span, redactions } = defaults.span(spanWith({ 'tool.result': raw }));
    expect(redactions).toBe(2);
    expect(span.attributes['tool.result']).toBe(
      `{ "id": 12345678901234567890, "at": 1.50, "note": "café \\"[REDACTED:secret]\\"",\n  "card": "[REDACTED:credit_card]", "n": [1e3] }`,
    );
  });

  it('redacts the whole value under secret-looking keys, in attributes and inside JSON', () => {
    const { span, redactions } = defaults.span(
      spanWith({
        'db.password': 'correct horse',
        'http.request.header.authorization': ['Token abc'],
        'http.request.header.cookie': ['session=1'],
        'tool.arguments': JSON.stringify({ user: 'ann', apiKey: 'plain words', nested: { client_secret: 'x y z' } }),
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.request.max_tokens': 1024,
      }),
    );
    expect(span.attributes['db.password']).toBe('[REDACTED:secret]');
    expect(span.attributes['http.request.header.authorization']).toEqual(['[REDACTED:secret]']);
    expect(span.attributes['http.request.header.cookie']).toEqual(['[REDACTED:secret]']);
    expect(JSON.parse(span.attributes['tool.arguments'] as string)).toEqual({ user: 'ann', apiKey: '[REDACTED:secret]', nested: { client_secret: '[REDACTED:secret]' } });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(12);
    expect(span.attributes['gen_ai.request.max_tokens']).toBe(1024);
    expect(redactions).toBe(5);
  });

  it('covers the span name, status message, events, links, resource and a card sent as an integer', () => {
    const span = spanWith(
      { 'payment.card': 4242424242424242 },
      {
        name: `charge ${CARD}`,
        status: { code: 'error', message: `invalid key ${KEY}` },
        events: [{ timeUnixNano: '1', timeMs: 0, name: 'log', attributes: { message: `retry with ${KEY}` } }],
        links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { note: `card ${CARD}` } }],
        resource: { 'process.command_line': 'node app.js --password=hunter22' },
      },
    );
    const { span: out, redactions } = defaults.span(span);
    expect(out.name).toBe('charge [REDACTED:credit_card]');
    expect(out.status).toEqual({ code: 'error', message: 'invalid key [REDACTED:secret]' });
    expect(out.events[0].attributes.message).toBe('retry with [REDACTED:secret]');
    expect(out.links[0].attributes.note).toBe('card [REDACTED:credit_card]');
    expect(out.resource['process.command_line']).toBe('node app.js --password=[REDACTED:secret]');
    expect(out.attributes['payment.card']).toBe('[REDACTED:credit_card]');
    expect(redactions).toBe(6);
    expect(span.name).toBe(`charge ${CARD}`); // the input is not mutated
  });

  it('counts a shared resource on every span that carries it, redacting it once', () => {
    const resource = { 'deploy.token_url': `https://u:${'pa55word'}@ci.example.com` };
    const a = defaults.span(spanWith({}, { resource, spanId: '1'.repeat(16) }));
    const b = defaults.span(spanWith({}, { resource, spanId: '2'.repeat(16) }));
    expect(a.redactions).toBe(1);
    expect(b.redactions).toBe(1);
    expect(a.span.resource).toBe(b.span.resource);
    expect(a.span.resource['deploy.token_url']).toBe('https://u:[REDACTED:secret]@ci.example.com');
  });

  it('drops listed attribute keys with their children, and key prefixes ending in *', () => {
    const r = compileRedaction(RedactionConfig.parse({ dropAttributes: ['llm.input_messages', 'app.debug.*', 'user'] }));
    const { span, redactions } = r.span(
      spanWith({
        'llm.input_messages': 'x',
        'llm.input_messages.0.message.content': 'hello',
        'llm.input_messages_count': 1,
        'app.debug.dump': '...',
        'app.debug': 'kept: not under the prefix',
        user: { name: 'Ann', plan: 'pro' },
        'user.id': 'u-1',
        'gen_ai.request.model': 'gpt-4o',
      }),
    );
    expect(Object.keys(span.attributes).sort()).toEqual(['app.debug', 'gen_ai.request.model', 'llm.input_messages_count']);
    expect(redactions).toBe(5);
  });

  it('drops by a prefix alone', () => {
    const r = compileRedaction(RedactionConfig.parse({ detectors: { secrets: false, creditCard: false }, dropAttributes: ['http.request.header.*'] }));
    expect(r.noop).toBe(false);
    const { span, redactions } = r.span(spanWith({ 'http.request.header.x-debug': 'internal', 'http.method': 'GET' }));
    expect(span.attributes).toEqual({ 'http.method': 'GET' });
    expect(redactions).toBe(1);
  });

  it('drops keys nested in a key-value list by their dotted path', () => {
    const r = compileRedaction(RedactionConfig.parse({ dropAttributes: ['request.headers.x-api-token'] }));
    const { span } = r.span(spanWith({ request: { headers: { 'x-api-token': 't', accept: 'json' } } }));
    expect(span.attributes.request).toEqual({ headers: { accept: 'json' } });
  });

  it('applies custom patterns with their own marker and case option', () => {
    const r = compileRedaction(
      RedactionConfig.parse({
        detectors: { secrets: false, creditCard: false },
        customPatterns: [
          { name: 'order-id', pattern: 'ORD-\\d{6}' },
          { name: 'codename', pattern: 'project\\s+falcon', ignoreCase: true },
        ],
      }),
    );
    expect(r.text('Order ORD-123456 for Project  FALCON; ord-123456 stays').text).toBe('Order [REDACTED:order-id] for [REDACTED:codename]; ord-123456 stays');
    expect(r.text(`key ${KEY}`).text).toBe(`key ${KEY}`);
  });

  it('does nothing at all with every detector off and no rules', () => {
    const r = compileRedaction(RedactionConfig.parse({ detectors: { secrets: false, creditCard: false } }));
    expect(r.noop).toBe(true);
    const span = spanWith({ 'db.password': 'x', note: `card ${CARD}` });
    expect(r.span(span)).toEqual({ span, redactions: 0 });
  });

  it('keeps a "__proto__" attribute key as data when rebuilding attributes', () => {
    const attrs = JSON.parse(`{"__proto__": {"polluted": true}, "note": "key ${KEY}"}`);
    const { span } = defaults.span(spanWith(attrs));
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(Object.keys(span.attributes)).toEqual(['__proto__', 'note']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('prepareBatch with a redactor', () => {
  it('stores redacted payloads and previews, with the count on each row', () => {
    const prompt = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Use ${KEY} to call the API` }] }]);
    const llm = spanWith({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.input.messages': prompt });
    const batch = prepareBatch({ spans: [llm, spanWith({}, { spanId: 'f'.repeat(16) })] }, defaults);
    const stored = new TextDecoder().decode(batch.payload);
    expect(stored).not.toContain(KEY);
    expect(stored).toContain('[REDACTED:secret]');
    // The stored bytes are OTLP protobuf and decode to the redacted spans.
    expect(JSON.stringify(decodeProtobuf(batch.payload).spans)).toContain('Use [REDACTED:secret] to call the API');
    const [row, other] = batch.traces[0].spans;
    expect(row.inputPreview).toBe('Use [REDACTED:secret] to call the API');
    expect(row.redactions).toBe(1);
    expect(other.redactions).toBe(0);
  });
});
