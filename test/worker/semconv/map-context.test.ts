import { describe, expect, it } from 'vitest';
import type { NormalizedSpan } from '../../../worker/otlp/types';
import { mapSpan } from '../../../worker/semconv/map';
import { PREVIEW_CHARS } from '../../../worker/semconv/types';
import { spanWith } from './span';

describe('mapSpan: kind', () => {
  it.each([
    ['text_completion', 'llm'],
    ['generate_content', 'llm'],
    ['embeddings', 'embedding'],
    ['create_agent', 'agent'],
  ])('maps gen_ai.operation.name %s to %s', (operation, kind) => {
    expect(mapSpan(spanWith({ 'gen_ai.operation.name': operation })).kind).toBe(kind);
  });

  it('infers llm from a model with token counts or messages, and span otherwise', () => {
    expect(mapSpan(spanWith({ 'gen_ai.request.model': 'm', 'gen_ai.usage.output_tokens': 1 })).kind).toBe('llm');
    expect(mapSpan(spanWith({ 'llm.model_name': 'm', 'gen_ai.completion': 'hi' })).kind).toBe('llm');
    expect(mapSpan(spanWith({ 'gen_ai.request.model': 'm' })).kind).toBe('span');
    expect(mapSpan(spanWith({ 'http.method': 'GET' })).kind).toBe('span');
  });

  it('ignores operation names that only exist on Object.prototype', () => {
    expect(mapSpan(spanWith({ 'gen_ai.operation.name': 'constructor', 'openinference.span.kind': 'toString' })).kind).toBe(
      'span',
    );
  });
});

describe('mapSpan: retryAttempt', () => {
  it('takes the first positive retry counter', () => {
    expect(mapSpan(spanWith({ 'http.request.resend_count': 2 })).retryAttempt).toBe(2);
    expect(mapSpan(spanWith({ 'retry.attempt': '3' })).retryAttempt).toBe(3);
    expect(mapSpan(spanWith({ 'retry.attempt': 0, retry_count: -1, 'sieve.retry_attempt': 1 })).retryAttempt).toBe(1);
    expect(mapSpan(spanWith({ 'gen_ai.request.retry_count': 'soon' })).retryAttempt).toBe(0);
    expect(mapSpan(spanWith({})).retryAttempt).toBe(0);
  });
});

describe('mapSpan: previews', () => {
  it('collapses whitespace and cuts to PREVIEW_CHARS with an ellipsis', () => {
    const long = `Line one\n\n   line   two ${'x'.repeat(PREVIEW_CHARS * 2)}`;
    const view = mapSpan(spanWith({ 'openinference.span.kind': 'CHAIN', 'input.value': long, 'output.value': ' ok \n' }));
    expect(view.inputPreview).toHaveLength(PREVIEW_CHARS);
    expect(view.inputPreview?.startsWith('Line one line two xxx')).toBe(true);
    expect(view.inputPreview?.endsWith('…')).toBe(true);
    expect(view.outputPreview).toBe('ok');
  });

  it('previews the last user message, not the latest tool result', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': [
          { role: 'user', parts: [{ type: 'text', content: 'first question' }] },
          { role: 'assistant', parts: [{ type: 'text', content: 'answer' }] },
          { role: 'user', parts: [{ type: 'text', content: 'follow-up' }] },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'a', response: 'data' }] },
        ],
      }),
    );
    expect(view.inputPreview).toBe('follow-up');
    expect(view.outputPreview).toBeUndefined();
  });
});

describe('mapSpan: session, user, tags and prompt version', () => {
  it('reads span attributes before resource attributes', () => {
    const view = mapSpan(
      spanWith(
        { 'langfuse.session.id': 's-span', 'enduser.id': 'u-span' },
        { resource: { 'session.id': 's-resource', 'user.id': 'u-resource', 'sieve.prompt_version': 'p-resource' } },
      ),
    );
    expect([view.sessionId, view.userId, view.promptVersion]).toEqual(['s-span', 'u-span', 'p-resource']);
  });

  it('falls back to the Vercel and OpenInference metadata fields', () => {
    expect(mapSpan(spanWith({ 'ai.telemetry.metadata.sessionId': 'v-1' })).sessionId).toBe('v-1');
    const view = mapSpan(spanWith({ metadata: '{"session_id": "m-1", "user_id": 42}' }));
    expect([view.sessionId, view.userId]).toEqual(['m-1', '42']);
  });

  it('merges tags from lists, JSON lists and comma strings without repeats', () => {
    const view = mapSpan(
      spanWith(
        { 'tag.tags': ['beta', 'eu'], 'langfuse.trace.tags': '["eu","vip"]' },
        { resource: { 'sieve.tags': 'beta, canary ,' } },
      ),
    );
    expect(view.tags).toEqual(['beta', 'eu', 'vip', 'canary']);
  });

  it('accepts a numeric prompt version', () => {
    expect(mapSpan(spanWith({ 'langfuse.prompt.version': 4 })).promptVersion).toBe('4');
    expect(mapSpan(spanWith({ 'gen_ai.prompt.version': 'v2', 'prompt.version': 'v1' })).promptVersion).toBe('v2');
  });
});

describe('mapSpan: cost', () => {
  it('prefers a cost the sender reported over the estimate', () => {
    const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000 };
    expect(mapSpan(spanWith(base)).costUsd).toBeCloseTo(0.0025, 10);
    expect(mapSpan(spanWith({ ...base, 'gen_ai.usage.cost': 0.5 })).costUsd).toBe(0.5);
    expect(mapSpan(spanWith({ ...base, 'sieve.cost_usd': '0.25' })).costUsd).toBe(0.25);
  });

  it('leaves cost undefined for unknown models', () => {
    expect(mapSpan(spanWith({ 'gen_ai.request.model': 'in-house-7b', 'gen_ai.usage.input_tokens': 5 })).costUsd).toBeUndefined();
  });
});

describe('mapSpan: malformed input', () => {
  it('tolerates wrongly typed attributes', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.operation.name': 7,
        'gen_ai.request.model': { nested: true },
        'gen_ai.usage.input_tokens': 'many',
        'gen_ai.usage.output_tokens': -3,
        'gen_ai.input.messages': 42,
        'gen_ai.output.messages': [null, 'plain reply', { parts: 'not a list' }],
        'gen_ai.system_instructions': { weird: 1 },
        'tag.tags': { not: 'a list' },
        'llm.input_messages.x.message.role': 'user',
      }),
    );
    expect(view.model).toBeUndefined();
    expect(view.usage).toEqual({});
    expect(view.inputMessages).toEqual([]);
    expect(view.outputMessages[0]).toEqual({ role: 'assistant', content: 'plain reply' });
    expect(view.tags).toEqual([]);
  });

  it('returns a plain span view for a span without attribute objects', () => {
    const broken = { ...spanWith({}), attributes: null, resource: undefined, events: undefined } as unknown as NormalizedSpan;
    expect(mapSpan(broken)).toMatchObject({ kind: 'span', usage: {}, inputMessages: [], tags: [], retryAttempt: 0 });
  });

  it('treats a "__proto__" attribute as data', () => {
    const attributes = JSON.parse('{"__proto__": {"gen_ai.request.model": "gpt-4o"}, "gen_ai.operation.name": "chat"}');
    const view = mapSpan(spanWith(attributes));
    expect(view.model).toBeUndefined();
    expect(({} as Record<string, unknown>)['gen_ai.request.model']).toBeUndefined();
  });
});
