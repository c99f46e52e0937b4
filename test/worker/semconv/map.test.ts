import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../../worker/otlp/types';
import { mapSpan } from '../../../worker/semconv/map';
import { spanWith } from './span';

describe('mapSpan: OpenTelemetry GenAI (current)', () => {
  const structured = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 500,
    'gen_ai.usage.cache_read.input_tokens': 400,
    'gen_ai.usage.reasoning.output_tokens': 7,
    'gen_ai.conversation.id': 'conv-1',
    'gen_ai.system_instructions': [{ type: 'text', content: 'Be brief.' }],
    'gen_ai.input.messages': [
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { temp: 21 } }] },
    ],
    'gen_ai.output.messages': [
      { role: 'assistant', parts: [{ type: 'text', content: 'It is 21 °C.' }], finish_reason: 'stop' },
    ],
  };

  it('reads structured messages, usage, models and instructions', () => {
    const view = mapSpan(spanWith(structured));
    expect(view).toMatchObject({
      kind: 'llm',
      operation: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      model: 'gpt-4o-2024-08-06',
      usage: { inputTokens: 1000, outputTokens: 500, totalTokens: 1500, cacheReadTokens: 400, reasoningTokens: 7 },
      systemInstructions: 'Be brief.',
      conversationId: 'conv-1',
      sessionId: 'conv-1',
      inputPreview: 'Weather in Paris?',
      outputPreview: 'It is 21 °C.',
    });
    expect(view.inputMessages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: '{"temp":21}', toolCallId: 'call_1' },
    ]);
    expect(view.outputMessages).toEqual([{ role: 'assistant', content: 'It is 21 °C.', finishReason: 'stop' }]);
    expect(view.input).toBeUndefined();
    // gpt-4o: 600 uncached × $2.50 + 400 cached × $1.25 + 500 out × $10, per million.
    expect(view.costUsd).toBeCloseTo(0.007, 10);
  });

  it('reads messages sent as JSON strings and summarizes tool calls in the output preview', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Book a table' }] }]),
        'gen_ai.output.messages': JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'tool_call', id: 't1', name: 'book', arguments: '{"people":2}' }],
            finish_reason: 'tool_call',
          },
        ]),
      }),
    );
    expect(view.toolCalls).toEqual([{ id: 't1', name: 'book', arguments: '{"people":2}' }]);
    expect(view.outputMessages[0].finishReason).toBe('tool_call');
    expect(view.outputPreview).toBe('→ book({"people":2})');
  });

  it('keeps a messages string that is not JSON as one message', () => {
    const view = mapSpan(spanWith({ 'gen_ai.input.messages': '[{"role": "user", broken', 'gen_ai.operation.name': 'chat' }));
    expect(view.inputMessages).toEqual([{ role: 'user', content: '[{"role": "user", broken' }]);
  });

  it('reads the per-event form of messages', () => {
    const raw: { name: string; attributes: Attributes }[] = [
      { name: 'gen_ai.system.message', attributes: { content: 'You are terse.' } },
      { name: 'gen_ai.user.message', attributes: { content: 'Hi there' } },
      { name: 'gen_ai.tool.message', attributes: { content: 'sunny', id: 'c9' } },
      {
        name: 'gen_ai.choice',
        attributes: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello!' } },
      },
    ];
    const events = raw.map((e) => ({ ...e, timeUnixNano: '1', timeMs: 0 }));
    const view = mapSpan(spanWith({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }, { events }));
    expect(view.inputMessages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi there' },
      { role: 'tool', content: 'sunny', toolCallId: 'c9' },
    ]);
    expect(view.outputMessages).toEqual([{ role: 'assistant', content: 'Hello!', finishReason: 'stop' }]);
    expect(view.inputPreview).toBe('Hi there');
  });

  it('maps execute_tool spans to a tool with arguments and result', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.description': 'Looks up weather',
        'gen_ai.tool.call.arguments': { city: 'Paris' },
        'gen_ai.tool.call.result': 'sunny',
      }),
    );
    expect(view.kind).toBe('tool');
    expect(view.tool).toEqual({
      name: 'get_weather',
      callId: 'call_1',
      description: 'Looks up weather',
      arguments: '{"city":"Paris"}',
      result: 'sunny',
    });
    expect([view.inputPreview, view.outputPreview]).toEqual(['{"city":"Paris"}', 'sunny']);
  });

  it('maps agent spans and does not price their aggregated usage', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'planner',
        'gen_ai.agent.id': 'agent-7',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 100,
      }),
    );
    expect(view.kind).toBe('agent');
    expect(view.agent).toEqual({ name: 'planner', id: 'agent-7' });
    expect(view.costUsd).toBeUndefined();
  });
});

describe('mapSpan: legacy GenAI (OpenLLMetry)', () => {
  it('reads indexed prompt and completion attributes with tool calls', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.prompt.0.role': 'system',
        'gen_ai.prompt.0.content': 'You help.',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': 'Add 2 and 3',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.finish_reason': 'tool_calls',
        'gen_ai.completion.0.tool_calls.0.id': 'call_a',
        'gen_ai.completion.0.tool_calls.0.name': 'add',
        'gen_ai.completion.0.tool_calls.0.arguments': '{"a":2,"b":3}',
        'gen_ai.usage.prompt_tokens': 20,
        'gen_ai.usage.completion_tokens': '5',
        'llm.usage.total_tokens': 25,
      }),
    );
    expect(view).toMatchObject({
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 20, outputTokens: 5, totalTokens: 25 },
      inputPreview: 'Add 2 and 3',
      outputPreview: '→ add({"a":2,"b":3})',
    });
    expect(view.inputMessages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(view.outputMessages).toEqual([
      {
        role: 'assistant',
        content: '',
        finishReason: 'tool_calls',
        toolCalls: [{ id: 'call_a', name: 'add', arguments: '{"a":2,"b":3}' }],
      },
    ]);
  });

  it('reads whole-prompt attributes as JSON messages or plain text', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.prompt': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Summarize this' }] }]),
        'gen_ai.completion': 'A summary.',
      }),
    );
    expect(view.inputMessages).toEqual([{ role: 'user', content: 'Summarize this' }]);
    expect(view.outputMessages).toEqual([{ role: 'assistant', content: 'A summary.' }]);
  });
});

describe('mapSpan: OpenInference', () => {
  it('reads flattened messages with content parts and tool calls', () => {
    const view = mapSpan(
      spanWith({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4.1',
        'llm.provider': 'openai',
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': 'Be kind.',
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.contents.0.message_content.type': 'text',
        'llm.input_messages.1.message.contents.0.message_content.text': 'What is on this picture?',
        'llm.input_messages.1.message.contents.1.message_content.type': 'image',
        'llm.input_messages.2.message.role': 'tool',
        'llm.input_messages.2.message.content': '42',
        'llm.input_messages.2.message.tool_call_id': 'call_9',
        'llm.input_messages.2.message.name': 'calc',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_10',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'search',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"q":"cats"}',
        'llm.token_count.prompt': 50,
        'llm.token_count.completion': 10,
        'llm.token_count.total': 60,
        'llm.token_count.prompt_details.cache_read': 20,
        'llm.token_count.completion_details.reasoning': 4,
        'llm.cost.total': 0.123,
        'llm.prompt_template.template': 'Describe {image}',
        'llm.prompt_template.version': 'v3',
        'input.value': '{"messages": []}',
      }),
    );
    expect(view).toMatchObject({
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4.1',
      usage: { inputTokens: 50, outputTokens: 10, totalTokens: 60, cacheReadTokens: 20, reasoningTokens: 4 },
      costUsd: 0.123,
      promptTemplate: 'Describe {image}',
      promptVersion: 'v3',
      inputPreview: 'What is on this picture? [image]',
      outputPreview: '→ search({"q":"cats"})',
    });
    expect(view.inputMessages).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'What is on this picture?\n\n[image]' },
      { role: 'tool', content: '42', toolCallId: 'call_9', name: 'calc' },
    ]);
    expect(view.toolCalls).toEqual([{ id: 'call_10', name: 'search', arguments: '{"q":"cats"}' }]);
    // The raw request JSON is not repeated as plain input when there are messages.
    expect(view.input).toBeUndefined();
  });

  it('maps TOOL spans from input.value and output.value', () => {
    const view = mapSpan(
      spanWith({
        'openinference.span.kind': 'TOOL',
        'tool.name': 'lookup_order',
        'tool.description': 'Finds an order',
        'tool.parameters': '{"type":"object"}',
        'input.value': '{"order_id": 7}',
        'output.value': 'shipped',
      }),
    );
    expect(view.kind).toBe('tool');
    expect(view.tool).toEqual({
      name: 'lookup_order',
      description: 'Finds an order',
      arguments: '{"order_id": 7}',
      result: 'shipped',
    });
    expect([view.input, view.output]).toEqual(['{"order_id": 7}', 'shipped']);
  });

  it('maps CHAIN spans to plain input and output, unwrapping JSON-encoded strings', () => {
    const view = mapSpan(
      spanWith({
        'openinference.span.kind': 'chain',
        'input.value': '"What is   Sieve?"',
        'input.mime_type': 'application/json',
        'output.value': 'An observability tool.',
      }),
    );
    expect(view).toMatchObject({
      kind: 'chain',
      input: 'What is   Sieve?',
      output: 'An observability tool.',
      inputPreview: 'What is Sieve?',
    });
  });

  it.each([
    ['EMBEDDING', 'embedding'],
    ['AGENT', 'agent'],
    ['RETRIEVER', 'retriever'],
    ['RERANKER', 'reranker'],
    ['GUARDRAIL', 'guardrail'],
    ['EVALUATOR', 'evaluator'],
  ])('maps span kind %s', (oiKind, kind) => {
    expect(mapSpan(spanWith({ 'openinference.span.kind': oiKind })).kind).toBe(kind);
  });
});

describe('mapSpan: Vercel AI SDK', () => {
  it('reads doGenerate spans', () => {
    const view = mapSpan(
      spanWith({
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.prompt.messages': JSON.stringify([
          { role: 'system', content: 'Be short.' },
          { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
        ]),
        'ai.response.text': 'Paris.',
        'ai.response.finishReason': 'stop',
        'ai.usage.promptTokens': 12,
        'ai.usage.completionTokens': 2,
      }),
    );
    expect(view).toMatchObject({
      kind: 'llm',
      operation: 'ai.generateText.doGenerate',
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 12, outputTokens: 2, totalTokens: 14 },
      inputPreview: 'Capital of France?',
      outputPreview: 'Paris.',
    });
    expect(view.outputMessages).toEqual([{ role: 'assistant', content: 'Paris.', finishReason: 'stop' }]);
    expect(view.costUsd).toBeGreaterThan(0);
  });

  it('reads tool calls, v5 usage names and the outer span as a chain', () => {
    const view = mapSpan(
      spanWith({
        'ai.operationId': 'ai.streamText',
        'ai.model.id': 'gpt-4o',
        'ai.prompt': JSON.stringify({ system: 'Sys', prompt: 'Find flights' }),
        'ai.response.toolCalls': JSON.stringify([{ toolCallId: 'x1', toolName: 'flights', input: { to: 'NYC' } }]),
        'ai.usage.inputTokens': 30,
        'ai.usage.outputTokens': 8,
      }),
    );
    expect(view).toMatchObject({
      kind: 'chain',
      systemInstructions: 'Sys',
      usage: { inputTokens: 30, outputTokens: 8 },
      inputPreview: 'Find flights',
      outputPreview: '→ flights({"to":"NYC"})',
    });
    expect(view.costUsd).toBeUndefined();
  });

  it('maps ai.toolCall spans to tools', () => {
    const view = mapSpan(
      spanWith({
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'flights',
        'ai.toolCall.id': 'x1',
        'ai.toolCall.args': '{"to":"NYC"}',
        'ai.toolCall.result': '[]',
      }),
    );
    expect(view.kind).toBe('tool');
    expect(view.tool).toEqual({ name: 'flights', callId: 'x1', arguments: '{"to":"NYC"}', result: '[]' });
  });
});

describe('mapSpan: precedence', () => {
  it('prefers current GenAI over legacy GenAI over OpenInference, except for the OpenInference kind', () => {
    const view = mapSpan(
      spanWith({
        'openinference.span.kind': 'AGENT',
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.system': 'legacy-provider',
        'llm.provider': 'oi-provider',
        'gen_ai.request.model': 'claude-sonnet-4',
        'llm.model_name': 'oi-model',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.prompt_tokens': 20,
        'llm.token_count.prompt': 30,
        'llm.token_count.completion': 3,
        'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'current' }] }],
        'gen_ai.prompt.0.content': 'legacy',
        'llm.input_messages.0.message.content': 'openinference',
      }),
    );
    expect(view).toMatchObject({
      kind: 'agent',
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      usage: { inputTokens: 10, outputTokens: 3 },
      inputMessages: [{ role: 'user', content: 'current' }],
    });
  });

  it('prefers legacy GenAI over OpenInference when no current attribute is present', () => {
    const view = mapSpan(
      spanWith({
        'gen_ai.system': 'legacy-provider',
        'llm.system': 'oi-provider',
        'gen_ai.usage.prompt_tokens': 20,
        'llm.token_count.prompt': 30,
        'gen_ai.prompt.0.content': 'legacy',
        'llm.input_messages.0.message.content': 'openinference',
      }),
    );
    expect(view.provider).toBe('legacy-provider');
    expect(view.usage.inputTokens).toBe(20);
    expect(view.inputMessages).toEqual([{ role: 'user', content: 'legacy' }]);
  });
});
