/**
 * Seeded generator of realistic LLM-application traces as OTLP/JSON export requests, for
 * `npm run demo` and the ingest benchmark. Pure: no I/O, no clock, no node:* imports, so one
 * seed always yields the same output and the module also runs inside workerd tests.
 *
 * Three services, three conventions: a support chat bot (OTel GenAI, current structured
 * messages, plus a stale deployment on the legacy `gen_ai.prompt.N` attributes), a docs RAG
 * pipeline (OpenInference) and a tool-using travel agent (OTel GenAI agent spans). A share of
 * traces carries the failures a reviewer should be able to find: errors, retries, slow
 * outliers and bad answers (hallucinated, curt, verbose, off-topic, cut off).
 */

// ---------- OTLP/JSON shapes ----------

export type AnyValueJson =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValueJson[] } }
  | { kvlistValue: { values: KeyValueJson[] } };
export interface KeyValueJson {
  key: string;
  value: AnyValueJson;
}
export interface EventJson {
  timeUnixNano: string;
  name: string;
  attributes: KeyValueJson[];
}
export interface SpanJson {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValueJson[];
  events: EventJson[];
  status: { code: number; message?: string };
}
export interface ScopeJson {
  name: string;
  version: string;
}
export interface ScopeSpansJson {
  scope: ScopeJson;
  spans: SpanJson[];
}
export interface ResourceSpansJson {
  resource: { attributes: KeyValueJson[] };
  scopeSpans: ScopeSpansJson[];
}
/** An OTLP `ExportTraceServiceRequest` in its JSON encoding. */
export interface OtlpJsonRequest {
  resourceSpans: ResourceSpansJson[];
}

const KIND = { internal: 1, server: 2, client: 3 } as const;
const STATUS_ERROR = 2;
const ANY_VALUE_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue']);

function isAnyValue(value: unknown): value is AnyValueJson {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && ANY_VALUE_KEYS.has(keys[0]);
}

/**
 * JS value → OTLP AnyValue JSON. Integers become `intValue` (a decimal string, as proto3 JSON
 * encodes int64), other numbers `doubleValue`; arrays `arrayValue`; a value that already is an
 * AnyValue passes through (use `dbl(1)` for a double that happens to be whole); other objects
 * become `kvlistValue`.
 */
export function anyValue(value: unknown): AnyValueJson {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (isAnyValue(value)) return value;
  if (value !== null && typeof value === 'object') {
    return { kvlistValue: { values: Object.entries(value).map(([k, v]) => attr(k, v)) } };
  }
  throw new TypeError(`No OTLP AnyValue for ${String(value)}`);
}

/** One OTLP attribute from a JS value (see `anyValue` for the mapping). */
export function attr(key: string, value: unknown): KeyValueJson {
  return { key, value: anyValue(value) };
}

/** A double even when the number is whole (scores of 0 or 1, temperature 1). */
export const dbl = (n: number): AnyValueJson => ({ doubleValue: n });

/** Attributes from a record, skipping undefined values so optional attributes read inline. */
function attrs(record: Record<string, unknown>): KeyValueJson[] {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => attr(k, v));
}

// ---------- randomness ----------

export type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, plenty for demo data and reproducible from its seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const between = (rng: Rng, lo: number, hi: number): number => lo + rng() * (hi - lo);
const chance = (rng: Rng, p: number): boolean => rng() < p;
const round2 = (n: number): number => Math.round(n * 100) / 100;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function weighted<T>(rng: Rng, entries: readonly (readonly [T, number])[]): T {
  let r = rng() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of entries) {
    r -= w;
    if (r < 0) return value;
  }
  return entries[entries.length - 1][0];
}

function sample<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]);
  return out;
}

/** Lowercase hex of `bytes` random bytes; never all zeros, which OTLP treats as an invalid id. */
function hex(rng: Rng, bytes: number): string {
  let out = '';
  while (out.length < bytes * 2) out += Math.floor(rng() * 0x100000000).toString(16).padStart(8, '0');
  out = out.slice(0, bytes * 2);
  return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out;
}

/** Latencies are long-tailed: log-normal around a median, clamped to a plausible range. */
function logNormal(rng: Rng, median: number, sigma: number, lo: number, hi: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.min(hi, Math.max(lo, median * Math.exp(sigma * z)));
}

// ---------- span drafts (times in ms from the trace's start) ----------

interface Draft {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: ScopeJson;
  start: number;
  end: number;
  attributes: KeyValueJson[];
  events: { at: number; name: string; attributes: KeyValueJson[] }[];
  status: { code: number; message?: string };
}

interface TraceDraft {
  rng: Rng;
  traceId: string;
  spans: Draft[];
}

interface Failure {
  status: string;
  errorType: string;
  exceptionType: string;
  exceptionMessage: string;
}

function open(
  t: TraceDraft,
  scope: ScopeJson,
  parent: Draft | null,
  name: string,
  kind: number,
  start: number,
  attributes: Record<string, unknown>,
): Draft {
  const span: Draft = {
    spanId: hex(t.rng, 8),
    parentSpanId: parent?.spanId,
    name,
    kind,
    scope,
    start,
    end: start,
    attributes: attrs(attributes),
    events: [],
    status: { code: 0 },
  };
  t.spans.push(span);
  return span;
}

function set(span: Draft, attributes: Record<string, unknown>): void {
  span.attributes.push(...attrs(attributes));
}

/** Marks a span failed the way OTel SDKs do: error status, `error.type`, and an `exception` event. */
function fail(span: Draft, f: Failure): void {
  span.status = { code: STATUS_ERROR, message: f.status };
  set(span, { 'error.type': f.errorType });
  span.events.push({
    at: span.end,
    name: 'exception',
    attributes: attrs({ 'exception.type': f.exceptionType, 'exception.message': f.exceptionMessage }),
  });
}

function toResourceSpans(t: TraceDraft, resource: KeyValueJson[], startMs: number): ResourceSpansJson {
  // Microseconds since the epoch stay below 2^53, so plain numbers are exact; append "000" for ns.
  const baseUs = Math.round(startMs * 1000);
  const ns = (ms: number) => `${baseUs + Math.round(ms * 1000)}000`;
  const scopes = new Map<string, ScopeSpansJson>();
  for (const d of t.spans) {
    const key = `${d.scope.name}@${d.scope.version}`;
    let group = scopes.get(key);
    if (!group) scopes.set(key, (group = { scope: d.scope, spans: [] }));
    group.spans.push({
      traceId: t.traceId,
      spanId: d.spanId,
      ...(d.parentSpanId ? { parentSpanId: d.parentSpanId } : {}),
      name: d.name,
      kind: d.kind,
      startTimeUnixNano: ns(d.start),
      endTimeUnixNano: ns(d.end),
      attributes: d.attributes,
      events: d.events.map((e) => ({ timeUnixNano: ns(e.at), name: e.name, attributes: e.attributes })),
      status: d.status,
    });
  }
  return { resource: { attributes: resource }, scopeSpans: [...scopes.values()] };
}

// ---------- models, messages, failures ----------

interface Model {
  provider: string;
  request: string;
  response: string;
  server: string;
  msPerToken: number;
  idPrefix: string;
}

const MODELS = {
  gpt4oMini: { provider: 'openai', request: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18', server: 'api.openai.com', msPerToken: 9, idPrefix: 'chatcmpl-' },
  gpt4o: { provider: 'openai', request: 'gpt-4o', response: 'gpt-4o-2024-08-06', server: 'api.openai.com', msPerToken: 14, idPrefix: 'chatcmpl-' },
  gpt41: { provider: 'openai', request: 'gpt-4.1', response: 'gpt-4.1-2025-04-14', server: 'api.openai.com', msPerToken: 12, idPrefix: 'chatcmpl-' },
  claudeSonnet4: { provider: 'anthropic', request: 'claude-sonnet-4-20250514', response: 'claude-sonnet-4-20250514', server: 'api.anthropic.com', msPerToken: 16, idPrefix: 'msg_01' },
  geminiFlash: { provider: 'gcp.gemini', request: 'gemini-2.5-flash', response: 'gemini-2.5-flash', server: 'generativelanguage.googleapis.com', msPerToken: 6, idPrefix: 'resp_' },
} satisfies Record<string, Model>;

type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: Record<string, unknown> }
  | { type: 'tool_call_response'; id: string; response: unknown };

interface Message {
  role: 'user' | 'assistant' | 'tool';
  parts: Part[];
  finish_reason?: string;
}

const text = (content: string): Part => ({ type: 'text', content });

function messageText(m: Message): string {
  return m.parts
    .map((p) =>
      p.type === 'text' ? p.content : JSON.stringify(p.type === 'tool_call' ? { name: p.name, arguments: p.arguments } : p.response),
    )
    .join('\n');
}

/** ~4 characters a token plus a few tokens of framing per message, close enough for demo usage numbers. */
const tokens = (s: string): number => Math.max(1, Math.round(s.length / 4));
const inputTokens = (system: string, input: Message[]): number =>
  tokens(system) + input.reduce((sum, m) => sum + tokens(messageText(m)) + 4, 3);

type LlmFailure = 'rate_limit' | 'overloaded' | 'timeout';

const PROVIDER_ERRORS: Record<string, Record<LlmFailure, [type: string, message: string]>> = {
  openai: {
    rate_limit: ['openai.RateLimitError', 'Error code: 429 - Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.'],
    overloaded: ['openai.InternalServerError', 'Error code: 503 - The server is overloaded or not ready yet.'],
    timeout: ['openai.APITimeoutError', 'Request timed out.'],
  },
  anthropic: {
    rate_limit: ['anthropic.RateLimitError', "Error code: 429 - {'type': 'error', 'error': {'type': 'rate_limit_error', 'message': 'Number of request tokens has exceeded your per-minute rate limit'}}"],
    overloaded: ['anthropic.InternalServerError', "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}"],
    timeout: ['anthropic.APITimeoutError', 'Request timed out.'],
  },
  'gcp.gemini': {
    rate_limit: ['ApiError', 'got status: 429 Too Many Requests. {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}'],
    overloaded: ['ApiError', 'got status: 503 Service Unavailable. {"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}'],
    timeout: ['TimeoutError', 'The operation was aborted due to timeout'],
  },
};

function llmFailure(model: Model, kind: LlmFailure): Failure {
  const [exceptionType, exceptionMessage] = PROVIDER_ERRORS[model.provider][kind];
  if (kind === 'timeout') return { status: 'timeout after 30s', errorType: 'timeout', exceptionType, exceptionMessage };
  if (kind === 'rate_limit') return { status: '429 Too Many Requests', errorType: '429', exceptionType, exceptionMessage };
  return model.provider === 'anthropic'
    ? { status: '529 Overloaded', errorType: '529', exceptionType, exceptionMessage }
    : { status: '503 Service Unavailable', errorType: '503', exceptionType, exceptionMessage };
}

// ---------- answer quality ----------

type Defect = 'none' | 'hallucination' | 'curt' | 'verbose' | 'off_topic' | 'incomplete';

const DEFECTS: readonly (readonly [Defect, number])[] = [
  ['none', 82],
  ['hallucination', 4],
  ['curt', 3],
  ['verbose', 4],
  ['off_topic', 3],
  ['incomplete', 4],
];

const VERBOSE_INTROS = [
  'Thank you so much for reaching out today! I completely understand how important this is, and I want to make sure I give you a thorough and complete answer.',
  'Great question! There are quite a few things worth explaining in detail here, so let me walk you through everything step by step.',
  'Absolutely, I would be more than happy to help you with this. Before I get into the details, let me first give you a full overview.',
];
const VERBOSE_PADS = [
  'To give you some more background, this is an area where a lot of people have questions, and it is always worth double-checking the details before taking any action.',
  'It may also help to know that all of this is documented in more detail in the help pages, which include step-by-step guides, screenshots and answers to frequently asked questions.',
  'In addition, please keep in mind that circumstances can vary from case to case, so if anything about your situation is unusual, it is a good idea to reach out again so we can take a closer look.',
  'As mentioned above, the most important thing is to follow the steps in order and to keep any confirmation emails or reference numbers, since they make it much faster to resolve questions later on.',
  'Finally, I would like to reassure you that every question is taken seriously, and processes are continuously improved based on feedback from people like you.',
];
const VERBOSE_OUTROS = [
  'I hope this detailed explanation helps! Please do not hesitate to reach out again if you have any further questions at all; we are always happy to help, any time of day.',
  'Thanks again for your patience, and please let me know if there is anything else, big or small, that I can help you with today.',
];

interface DefectContent {
  hallucination: string;
  curt: readonly string[];
  offTopic: readonly string[];
  /** When true the hallucination replaces the answer instead of being appended to it. */
  replaceOnHallucination?: boolean;
}

function verbose(rng: Rng, good: string): string {
  const pads = sample(rng, VERBOSE_PADS, int(rng, 3, 5));
  return [pick(rng, VERBOSE_INTROS), good, ...pads, `To summarize: ${good}`, pick(rng, VERBOSE_OUTROS)].join('\n\n');
}

/** Cuts mid-sentence at a word boundary, the way a max_tokens stop does. */
function cutOff(s: string, chars: number): string {
  const head = s.slice(0, Math.min(chars, s.length - 1));
  return head.slice(0, head.lastIndexOf(' ')).replace(/[.,;:!?]+$/, '');
}

/** The assistant's answer with the planned defect applied; `length` marks a max_tokens stop. */
function render(rng: Rng, defect: Defect, good: string, content: DefectContent): { answer: string; finish: string; maxTokens?: number } {
  switch (defect) {
    case 'hallucination':
      return { answer: content.replaceOnHallucination ? content.hallucination : `${good} ${content.hallucination}`, finish: 'stop' };
    case 'curt':
      return { answer: pick(rng, content.curt), finish: 'stop' };
    case 'verbose':
      return { answer: verbose(rng, good), finish: 'stop' };
    case 'off_topic':
      return { answer: pick(rng, content.offTopic), finish: 'stop' };
    case 'incomplete': {
      const maxTokens = pick(rng, [96, 128, 160]);
      return { answer: cutOff(verbose(rng, good), maxTokens * 4), finish: 'length', maxTokens };
    }
    default:
      return { answer: good, finish: 'stop' };
  }
}

const EVAL_SCORES: Record<Defect, { faithfulness: [number, number]; relevance: [number, number] }> = {
  none: { faithfulness: [0.82, 0.99], relevance: [0.8, 0.98] },
  hallucination: { faithfulness: [0.05, 0.35], relevance: [0.65, 0.9] },
  curt: { faithfulness: [0.75, 0.95], relevance: [0.25, 0.48] },
  verbose: { faithfulness: [0.7, 0.9], relevance: [0.55, 0.75] },
  off_topic: { faithfulness: [0.4, 0.7], relevance: [0.02, 0.25] },
  incomplete: { faithfulness: [0.6, 0.85], relevance: [0.3, 0.49] },
};

const EVAL_EXPLANATIONS: Record<Defect, { faithfulness: string; relevance: string }> = {
  none: {
    faithfulness: 'Every claim in the answer is supported by the provided context.',
    relevance: 'The answer directly addresses the question.',
  },
  hallucination: {
    faithfulness: 'The answer makes claims that the context does not support, such as a policy, option or figure that does not exist.',
    relevance: 'The answer addresses the question.',
  },
  curt: {
    faithfulness: 'Nothing in the answer contradicts the context.',
    relevance: 'The answer is too terse to resolve the request and ignores the details the user gave.',
  },
  verbose: {
    faithfulness: 'The answer is consistent with the context, though much of it is filler.',
    relevance: 'The answer addresses the question but buries it in repetition.',
  },
  off_topic: {
    faithfulness: 'The answer is not grounded in the context retrieved for this question.',
    relevance: 'The answer does not address what the user asked.',
  },
  incomplete: {
    faithfulness: 'What the answer says is supported, but it stops before making its point.',
    relevance: 'The answer stops mid-sentence before it resolves the question.',
  },
};

/** OTel GenAI `gen_ai.evaluation.result` events, as an online evaluator would attach them. */
function evaluationEvents(rng: Rng, defect: Defect, at: number, responseId: string): Draft['events'] {
  const names = chance(rng, 0.7) ? (['faithfulness', 'relevance'] as const) : [pick(rng, ['faithfulness', 'relevance'] as const)];
  return names.map((name) => {
    const [lo, hi] = EVAL_SCORES[defect][name];
    const score = Math.min(0.99, Math.max(0.01, round2(between(rng, lo, hi))));
    const label = score >= 0.5 ? 'pass' : 'fail';
    return {
      at,
      name: 'gen_ai.evaluation.result',
      attributes: attrs({
        'gen_ai.evaluation.name': name,
        'gen_ai.evaluation.score.value': dbl(score),
        'gen_ai.evaluation.score.label': label,
        'gen_ai.evaluation.explanation': EVAL_EXPLANATIONS[label === 'pass' && defect !== 'verbose' ? 'none' : defect][name],
        'gen_ai.response.id': responseId,
      }),
    };
  });
}

// ---------- model and tool spans ----------

type Style = 'genai' | 'legacy' | 'openinference';

interface ChatSpec {
  style: Style;
  scope: ScopeJson;
  model: Model;
  system: string;
  input: Message[];
  output: Message;
  maxTokens: number;
  temperature: number;
  /** Convention-specific request attributes: session, prompt template, conversation id. */
  extra?: Record<string, unknown>;
  slow?: boolean;
  /** Attach evaluation results judging this answer, scored for the given defect. */
  evaluate?: Defect;
}

const OI_CLASS: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic', 'gcp.gemini': 'Gemini' };

function requestAttrs(spec: ChatSpec): Record<string, unknown> {
  const m = spec.model;
  if (spec.style === 'genai') {
    return {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': m.provider,
      'gen_ai.request.model': m.request,
      'gen_ai.request.max_tokens': spec.maxTokens,
      'gen_ai.request.temperature': dbl(spec.temperature),
      'server.address': m.server,
      'server.port': 443,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: spec.system }]),
      'gen_ai.input.messages': JSON.stringify(spec.input),
    };
  }
  const messages = [{ role: 'system', content: spec.system }, ...spec.input.map((msg) => ({ role: msg.role, content: messageText(msg) }))];
  if (spec.style === 'legacy') {
    return {
      'llm.request.type': 'chat',
      'gen_ai.system': m.provider,
      'gen_ai.request.model': m.request,
      'gen_ai.request.max_tokens': spec.maxTokens,
      'gen_ai.request.temperature': dbl(spec.temperature),
      'server.address': m.server,
      ...Object.fromEntries(
        messages.flatMap((msg, i) => [
          [`gen_ai.prompt.${i}.role`, msg.role],
          [`gen_ai.prompt.${i}.content`, msg.content],
        ]),
      ),
    };
  }
  return {
    'openinference.span.kind': 'LLM',
    'llm.system': m.provider,
    'llm.provider': m.provider,
    'llm.model_name': m.request,
    'llm.invocation_parameters': JSON.stringify({ temperature: spec.temperature, max_tokens: spec.maxTokens }),
    ...Object.fromEntries(
      messages.flatMap((msg, i) => [
        [`llm.input_messages.${i}.message.role`, msg.role],
        [`llm.input_messages.${i}.message.content`, msg.content],
      ]),
    ),
    'input.value': JSON.stringify({ messages }),
    'input.mime_type': 'application/json',
  };
}

interface ResponseFacts {
  id: string;
  input: number;
  output: number;
  cacheRead?: number;
  finish: string;
}

function responseAttrs(spec: ChatSpec, r: ResponseFacts): Record<string, unknown> {
  const content = messageText(spec.output);
  if (spec.style === 'genai') {
    return {
      'gen_ai.response.model': spec.model.response,
      'gen_ai.response.id': r.id,
      'gen_ai.response.finish_reasons': [r.finish],
      'gen_ai.usage.input_tokens': r.input,
      'gen_ai.usage.output_tokens': r.output,
      'gen_ai.usage.cache_read.input_tokens': r.cacheRead,
      'gen_ai.output.messages': JSON.stringify([spec.output]),
    };
  }
  if (spec.style === 'legacy') {
    return {
      'gen_ai.response.model': spec.model.response,
      'gen_ai.response.id': r.id,
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': content,
      'gen_ai.completion.0.finish_reason': r.finish,
      'gen_ai.usage.prompt_tokens': r.input,
      'gen_ai.usage.completion_tokens': r.output,
      'llm.usage.total_tokens': r.input + r.output,
    };
  }
  return {
    'llm.output_messages.0.message.role': 'assistant',
    'llm.output_messages.0.message.content': content,
    'llm.token_count.prompt': r.input,
    'llm.token_count.completion': r.output,
    'llm.token_count.total': r.input + r.output,
    'llm.token_count.prompt_details.cache_read': r.cacheRead,
    'output.value': content,
    'output.mime_type': 'text/plain',
  };
}

/** One model call attempt; a failed attempt carries only the request side plus the error. */
function modelSpan(t: TraceDraft, parent: Draft, start: number, spec: ChatSpec, resend: number, failure?: LlmFailure): Draft {
  const { rng } = t;
  const m = spec.model;
  const name = spec.style === 'genai' ? `chat ${m.request}` : spec.style === 'legacy' ? 'openai.chat' : `${OI_CLASS[m.provider]}.chat`;
  const kind = spec.style === 'openinference' ? KIND.internal : KIND.client;
  const span = open(t, spec.scope, parent, name, kind, start, {
    ...requestAttrs(spec),
    ...spec.extra,
    'http.request.resend_count': resend || undefined,
  });
  if (failure) {
    span.end = start + (failure === 'timeout' ? between(rng, 30_000, 30_040) : failure === 'rate_limit' ? between(rng, 80, 400) : between(rng, 200, 900));
    fail(span, llmFailure(m, failure));
    return span;
  }
  const finish = spec.output.finish_reason ?? 'stop';
  const input = inputTokens(spec.system, spec.input);
  const output = finish === 'length' ? spec.maxTokens : tokens(messageText(spec.output)) + 3;
  const cacheRead = spec.style !== 'legacy' && chance(rng, 0.3) ? Math.floor((input * between(rng, 0.4, 0.85)) / 16) * 16 : 0;
  let ms = between(rng, 250, 650) + output * m.msPerToken * between(rng, 0.75, 1.3) + input * 0.05;
  ms = Math.min(4000, Math.max(300, ms));
  if (spec.slow) ms *= between(rng, 4, 9);
  span.end = start + ms;
  const id = m.idPrefix + hex(rng, 12);
  set(span, responseAttrs(spec, { id, input, output, cacheRead: cacheRead || undefined, finish }));
  if (spec.evaluate) span.events.push(...evaluationEvents(rng, spec.evaluate, span.end, id));
  return span;
}

/**
 * A model call preceded by the planned failed attempts, each a sibling span; the client backs
 * off exponentially between them. `span` is null when every attempt failed.
 */
function callModel(
  t: TraceDraft,
  parent: Draft,
  start: number,
  spec: ChatSpec,
  failures: readonly LlmFailure[] = [],
  succeed = true,
): { span: Draft | null; end: number } {
  let at = start;
  let end = start;
  for (let i = 0; i < failures.length; i++) {
    end = modelSpan(t, parent, at, spec, i, failures[i]).end;
    at = end + between(t.rng, 400, 1500) * 2 ** i;
  }
  if (!succeed) return { span: null, end };
  const span = modelSpan(t, parent, at, spec, failures.length);
  return { span, end: span.end };
}

interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  result: unknown;
  ms: readonly [number, number];
  failure?: Failure;
}

function toolCallPart(c: ToolCall): Part {
  return { type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments };
}

function toolResponsePart(c: ToolCall): Part {
  return { type: 'tool_call_response', id: c.id, response: c.failure ? { error: c.failure.exceptionMessage } : c.result };
}

function executeTool(t: TraceDraft, scope: ScopeJson, parent: Draft, start: number, call: ToolCall): Draft {
  const span = open(t, scope, parent, `execute_tool ${call.name}`, KIND.internal, start, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': call.name,
    'gen_ai.tool.type': 'function',
    'gen_ai.tool.call.id': call.id,
    'gen_ai.tool.call.arguments': JSON.stringify(call.arguments),
  });
  span.end = start + between(t.rng, call.ms[0], call.ms[1]);
  if (call.failure) fail(span, call.failure);
  else set(span, { 'gen_ai.tool.call.result': JSON.stringify(call.result) });
  return span;
}

// ---------- per-trace plan ----------

interface Plan {
  /** Set when the trace ends in an error: the model gives up, or a dependency fails. */
  fatal: 'llm' | 'dependency' | null;
  /**
   * Failed attempts before the first model call succeeds; when the trace is fatal they are all
   * the attempts there are (used for 'dependency' too when the scenario has no dependency).
   */
  failures: LlmFailure[];
  slow: boolean;
  defect: Defect;
  evaluate: boolean;
}

const ERROR_RATE = 0.06;
const RETRY_RATE = 0.085;

function samplePlan(rng: Rng): Plan {
  const r = rng();
  let fatal: Plan['fatal'] = null;
  let failures: LlmFailure[] = [];
  if (r < ERROR_RATE) {
    fatal = chance(rng, 0.6) ? 'llm' : 'dependency';
    failures = chance(rng, 0.6) ? ['rate_limit', 'rate_limit', 'rate_limit'] : ['timeout'];
  } else if (r < ERROR_RATE + RETRY_RATE) {
    const kind = weighted<LlmFailure>(rng, [['rate_limit', 60], ['overloaded', 25], ['timeout', 15]]);
    failures = chance(rng, 0.3) ? [kind, 'rate_limit'] : [kind];
  }
  return { fatal, failures, slow: chance(rng, 0.05), defect: weighted(rng, DEFECTS), evaluate: chance(rng, 0.3) };
}

// ---------- conversations and resources ----------

type ServiceName = 'support-bot' | 'docs-rag' | 'travel-agent';
type Environment = 'production' | 'staging';

/** A session: one user, one deployment, 1–3 turns, each turn its own trace. */
export interface Conversation {
  service: ServiceName;
  environment: Environment;
  version: string;
  legacy: boolean;
  sessionId: string;
  userId: string;
  model: Model;
  promptVersion: string;
  channel: string;
  turns: number;
  history: Message[];
  used: string[];
}

const SERVICE_INFO: Record<ServiceName, { language: string; sdk: string; versions: Record<Environment, string> }> = {
  'support-bot': { language: 'python', sdk: '1.36.0', versions: { production: '1.14.2', staging: '1.15.0rc2' } },
  'docs-rag': { language: 'python', sdk: '1.36.0', versions: { production: '0.9.3', staging: '0.10.0' } },
  'travel-agent': { language: 'nodejs', sdk: '2.0.1', versions: { production: '2.3.1', staging: '2.4.0-beta.1' } },
};
const LEGACY_VERSION = '1.12.4';

function newConversation(rng: Rng, service?: ServiceName, environment?: Environment): Conversation {
  const svc = service ?? weighted<ServiceName>(rng, [['support-bot', 45], ['docs-rag', 30], ['travel-agent', 25]]);
  const env = environment ?? (chance(rng, 0.8) ? 'production' : 'staging');
  const legacy = svc === 'support-bot' && env === 'production' && chance(rng, 0.12);
  const base = { service: svc, environment: env, legacy, history: [], used: [], version: legacy ? LEGACY_VERSION : SERVICE_INFO[svc].versions[env] };
  if (svc === 'support-bot') {
    return {
      ...base,
      sessionId: `sess_${hex(rng, 8)}`,
      userId: `user_${int(rng, 1001, 1080)}`,
      model: env === 'staging' && chance(rng, 0.5) ? MODELS.gpt4o : MODELS.gpt4oMini,
      promptVersion: legacy ? 'support-v3' : env === 'staging' || chance(rng, 0.6) ? 'support-v4' : 'support-v3',
      channel: weighted(rng, [['web', 60], ['ios', 25], ['android', 15]]),
      turns: weighted(rng, [[1, 55], [2, 30], [3, 15]]),
    };
  }
  if (svc === 'docs-rag') {
    return {
      ...base,
      sessionId: `${hex(rng, 4)}-${hex(rng, 2)}-4${hex(rng, 2).slice(1)}-a${hex(rng, 2).slice(1)}-${hex(rng, 6)}`,
      userId: `dev_${int(rng, 1, 45)}`,
      model: chance(rng, 0.6) ? MODELS.claudeSonnet4 : MODELS.gpt41,
      promptVersion: env === 'staging' || chance(rng, 0.5) ? 'rag-v3' : 'rag-v2',
      channel: weighted(rng, [['docs-widget', 70], ['slack', 30]]),
      turns: weighted(rng, [[1, 75], [2, 25]]),
    };
  }
  return {
    ...base,
    sessionId: `trip_${hex(rng, 6)}`,
    userId: `traveller_${int(rng, 100, 160)}`,
    model: chance(rng, 0.65) ? MODELS.geminiFlash : MODELS.claudeSonnet4,
    promptVersion: 'journey-v2',
    channel: weighted(rng, [['web', 50], ['ios', 50]]),
    turns: weighted(rng, [[1, 70], [2, 30]]),
  };
}

function resourceOf(c: Conversation): KeyValueJson[] {
  const info = SERVICE_INFO[c.service];
  return attrs({
    'service.name': c.service,
    'service.version': c.version,
    'deployment.environment.name': c.environment,
    'telemetry.sdk.language': info.language,
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': c.legacy ? '1.27.0' : info.sdk,
  });
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayName = (ms: number): string => {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
};
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Prefix + question, lower-casing the question's first word when the prefix runs into it ("Also, how …"). */
function compose(prefix: string, question: string, suffix: string): string {
  const q = prefix !== '' && !/[.!?] $/.test(prefix) && /^[A-Z][a-z]/.test(question) && !/^(I|I'm|Nimbus|Lumen)\b/.test(question) ? question[0].toLowerCase() + question.slice(1) : question;
  return `${prefix}${q}${suffix}`;
}

// ---------- scenario 1: customer support (OTel GenAI) ----------

const PRODUCTS = ['Lumen Hub', 'smart bulb 4-pack', 'motion sensor', 'video doorbell', 'smart thermostat', 'smart plug', 'indoor camera', 'LED light strip'];
const CARRIERS = ['UPS', 'FedEx', 'USPS', 'DHL'];

const SUPPORT_POLICIES = [
  'Returns §1: Unused items can be returned within 30 days of delivery.',
  'Returns §2: Return labels are free; start a return under Orders → Return item.',
  'Returns §3: Opened items are accepted if all parts are included; a 10% restocking fee applies.',
  'Refunds §1: Refunds go to the original payment method 5–7 business days after the return arrives.',
  'Refunds §2: A second charge is usually a pending authorization that drops off within 3 business days.',
  'Shipping §1: Standard shipping takes 3–5 business days and is free over $50.',
  'Shipping §2: Express shipping takes 1–2 business days and costs $12.99.',
  'Shipping §3: The delivery address can be changed until the order ships.',
  'Shipping §4: Orders placed before 2 pm ET ship the same business day.',
  'Warranty §1: All devices have a 2-year limited warranty covering defects, not accidental damage.',
  'Lumen Plus §1: Lumen Plus costs $4.99/month and includes 30-day video history.',
  'Lumen Plus §2: Cancel anytime under Account → Subscriptions; access continues until the end of the billing period.',
].join('\n');

const SUPPORT_SYSTEM: Record<string, string> = {
  'support-v3': `You are Ava, the customer-support assistant for Lumen, a smart-home store. Be friendly and concise. Answer only from the policies below; if you are unsure, offer to connect the customer with a human agent.\n\nPolicies:\n${SUPPORT_POLICIES}`,
  'support-v4': `You are Ava, Lumen's support assistant. Tone: warm, brief, plain language. Cite the policy section you rely on (for example "Returns §2"). Never guess order details: call lookup_order. Offer a human agent when the customer is upset or asks for one.\n\nPolicies:\n${SUPPORT_POLICIES}`,
};

interface SupportSlots {
  product: string;
  order: string;
  days: number;
  price: string;
  months: number;
  carrier: string;
  tracking: string;
  status: string;
  shipped: string;
  eta: string;
  wait: number;
}

interface SupportIntent {
  id: string;
  tag: string;
  /** When set, prompt v4 looks the order up with the lookup_order tool first. */
  lookup?: (s: SupportSlots) => Record<string, unknown>;
  questions: ((s: SupportSlots) => string)[];
  answer: (s: SupportSlots, cite: (section: string) => string) => string;
}

const SUPPORT_INTENTS: SupportIntent[] = [
  {
    id: 'order_status',
    tag: 'orders',
    lookup: (s) => ({ order_id: s.order, status: s.status, carrier: s.carrier, tracking_number: s.tracking, shipped_on: s.shipped, items: [s.product] }),
    questions: [
      (s) => `Where is my order ${s.order}?`,
      (s) => `My order ${s.order} hasn't arrived yet and it's been ${s.days} days.`,
      (s) => `Can you check the status of order ${s.order}? It's a ${s.product}.`,
      (s) => `I ordered a ${s.product} last week and the tracking hasn't updated. Order ${s.order}.`,
    ],
    answer: (s) => `Order ${s.order} (${s.product}) shipped on ${s.shipped} with ${s.carrier} and is ${s.status}. Tracking number: ${s.tracking}. It should arrive by ${s.eta}.`,
  },
  {
    id: 'return_item',
    tag: 'returns',
    questions: [
      (s) => `How do I return the ${s.product}?`,
      (s) => `The ${s.product} doesn't work with my setup, can I send it back?`,
      (s) => `I want to return the ${s.product} I bought, but I already opened the box.`,
      (s) => `What's your return policy for a ${s.product}?`,
    ],
    answer: (s, cite) =>
      `You can return the ${s.product} within 30 days of delivery${cite('Returns §1')}. Go to Orders → Return item to print a free label${cite('Returns §2')}. Opened items are fine as long as all parts are in the box; a 10% restocking fee applies${cite('Returns §3')}.`,
  },
  {
    id: 'refund_status',
    tag: 'billing',
    lookup: (s) => ({ order_id: s.order, status: 'returned', return_received_on: s.shipped, refund: { state: 'processing', amount: s.price } }),
    questions: [
      (s) => `I returned my ${s.product} ${s.days} days ago. When do I get my refund?`,
      (s) => `Still waiting on my refund for order ${s.order}.`,
      (s) => `Has my refund for ${s.order} been processed yet?`,
    ],
    answer: (s, cite) =>
      `Refunds go back to your original payment method 5–7 business days after the return reaches our warehouse${cite('Refunds §1')}. Your return for ${s.order} arrived on ${s.shipped}, so the ${s.price} should show up by ${s.eta}.`,
  },
  {
    id: 'cancel_plus',
    tag: 'billing',
    questions: [
      () => 'How do I cancel Lumen Plus?',
      () => "Please cancel my Lumen Plus subscription, I'm not using it.",
      () => 'Will I be charged again if I cancel Lumen Plus today?',
      () => 'Is there a fee to cancel my subscription?',
    ],
    answer: (_s, cite) =>
      `You can cancel anytime under Account → Subscriptions → Lumen Plus → Cancel${cite('Lumen Plus §2')}. There's no fee, you won't be charged again, and your video history stays available until the end of the current billing period.`,
  },
  {
    id: 'double_charge',
    tag: 'billing',
    questions: [
      (s) => `I was charged twice for order ${s.order}!`,
      (s) => `Why are there two charges of ${s.price} on my card?`,
      (s) => `My bank shows a duplicate payment of ${s.price} for the ${s.product}.`,
    ],
    answer: (s, cite) =>
      `There's only one completed charge of ${s.price}. The second one is a pending authorization from when the payment was first attempted, and it drops off automatically within 3 business days${cite('Refunds §2')}. If it's still there after that, reply here and I'll escalate it to billing.`,
  },
  {
    id: 'warranty',
    tag: 'devices',
    questions: [
      (s) => `My ${s.product} stopped working after ${s.months} months. Is it covered?`,
      (s) => `The ${s.product} won't turn on anymore.`,
      (s) => `Is there a warranty on the ${s.product}? It started flickering.`,
    ],
    answer: (s, cite) =>
      `Yes, the ${s.product} is covered by our 2-year limited warranty for defects${cite('Warranty §1')}. Reply with your order number and a short description (a photo or video helps) and we'll ship a replacement once it's approved, usually within 2 business days.`,
  },
  {
    id: 'change_address',
    tag: 'orders',
    lookup: (s) => ({ order_id: s.order, status: 'processing', items: [s.product], ship_by: s.eta }),
    questions: [
      (s) => `Can I change the shipping address for order ${s.order}?`,
      (s) => `I moved last week. Can you update the delivery address on ${s.order}?`,
      (s) => `I entered the wrong address on order ${s.order}.`,
    ],
    answer: (s, cite) =>
      `Good timing: order ${s.order} hasn't shipped yet, so the address can still be changed${cite('Shipping §3')}. Update it under Orders → ${s.order} → Edit address, or send me the new address and I'll change it for you.`,
  },
  {
    id: 'pairing',
    tag: 'devices',
    questions: [
      (s) => `My ${s.product} won't pair with the app.`,
      (s) => `The Lumen app can't find my ${s.product}. I already restarted my phone.`,
      (s) => `How do I connect the ${s.product} to Wi-Fi?`,
    ],
    answer: (s) =>
      `Let's get it connected: 1) make sure your phone is on a 2.4 GHz Wi-Fi network, 2) hold the button on the ${s.product} for 10 seconds until the light blinks blue, 3) in the Lumen app tap + → Add device and follow the steps. If it still isn't found, move it closer to the router for setup.`,
  },
  {
    id: 'shipping_speed',
    tag: 'orders',
    questions: [
      () => 'How much is express shipping?',
      (s) => `Can I get a ${s.product} by Friday?`,
      (s) => `How long does shipping take for a ${s.product}?`,
    ],
    answer: (_s, cite) =>
      `Standard shipping takes 3–5 business days and is free over $50${cite('Shipping §1')}. Express takes 1–2 business days for $12.99${cite('Shipping §2')}, and orders placed before 2 pm ET ship the same day${cite('Shipping §4')}.`,
  },
  {
    id: 'human',
    tag: 'escalation',
    questions: [() => 'I want to talk to a real person.', () => 'This bot is useless, get me an agent.', () => 'Can I speak to someone on the phone?'],
    answer: (s) =>
      `Of course. I'm connecting you with a member of our support team now; the current wait is about ${s.wait} minutes, and they'll see this conversation so you won't need to repeat yourself.`,
  },
];

const SUPPORT_OPENERS = ['', '', '', 'Hi! ', 'Hello. ', 'Hey there. ', 'Good morning. ', 'Hi, ', 'Quick question: ', 'Sorry to bother you. '];
const SUPPORT_CLOSERS = ['', '', '', ' Thanks!', ' Thanks in advance.', ' Please help.', ' This is getting frustrating.', ' Appreciate it.'];
const SUPPORT_GREETINGS = ['Happy to help!', 'Thanks for reaching out.', 'Sorry for the trouble!', 'Thanks for your patience.', 'Good question!', ''];
const SUPPORT_SIGNOFFS = ['Anything else I can help with?', "Let me know if there's anything else.", 'Have a great day!', ''];
const SUPPORT_FOLLOWUPS = ['Also, ', 'One more thing: ', 'And ', 'OK, thanks. ', 'Got it. '];

const supportDefects = (rng: Rng, s: SupportSlots): DefectContent => ({
  hallucination: pick(rng, [
    `On top of that, Returns §7 gives you a 90-day extended return window on any ${s.product}.`,
    "You're also eligible for a $25 goodwill credit under Refunds §5, which I've added to your account.",
    'Per Warranty §4, accidental damage such as drops or water is covered for 5 years.',
    'As a Lumen Plus member you also get free express shipping on every order (Shipping §9).',
    `Our Price Match Guarantee (Policy 12.4) refunds the difference if you find the ${s.product} cheaper within 60 days.`,
  ]),
  curt: ['Check your email.', 'Read the FAQ.', "That's not possible.", 'Already answered. See the help center.', 'Just wait.', 'Contact your bank.', 'Nothing I can do.'],
  offTopic: [
    'Great news: the Lumen LED light strip now syncs to music and is 20% off this week!',
    'Did you know you can create a bedtime routine in the Lumen app to switch off every light with one tap?',
    'To reset your password, go to Settings → Account → Reset password and follow the link we email you.',
    'Our smart thermostat can cut heating costs by up to 10%. Would you like a recommendation for your home?',
  ],
});

function supportSlots(rng: Rng, nowMs: number): SupportSlots {
  const carrier = pick(rng, CARRIERS);
  return {
    product: pick(rng, PRODUCTS),
    order: `LM-${int(rng, 100000, 999999)}`,
    days: int(rng, 4, 14),
    price: `$${int(rng, 19, 249)}.${pick(rng, ['99', '49', '00'])}`,
    months: int(rng, 3, 22),
    carrier,
    tracking: carrier === 'UPS' ? `1Z${hex(rng, 8).toUpperCase()}` : String(int(rng, 100000000, 999999999)) + String(int(rng, 100, 999)),
    status: pick(rng, ['in transit', 'out for delivery today', "delayed at the carrier's regional hub", 'waiting at the local depot']),
    shipped: dayName(nowMs - int(rng, 2, 6) * DAY_MS),
    eta: dayName(nowMs + int(rng, 1, 4) * DAY_MS),
    wait: int(rng, 2, 12),
  };
}

const SUPPORT_APP = (c: Conversation): ScopeJson => ({ name: 'support_bot', version: c.version });
const OPENAI_V2: ScopeJson = { name: 'opentelemetry.instrumentation.openai_v2', version: '2.1b0' };
const OPENAI_LEGACY: ScopeJson = { name: 'opentelemetry.instrumentation.openai.v1', version: '0.40.14' };

function supportTurn(t: TraceDraft, c: Conversation, plan: Plan, nowMs: number): Draft {
  const { rng } = t;
  const fresh = SUPPORT_INTENTS.filter((i) => !c.used.includes(i.id));
  const thanks = c.history.length > 0 && chance(rng, 0.25);
  const intent = pick(rng, fresh.length ? fresh : SUPPORT_INTENTS);
  c.used.push(intent.id);
  const s = supportSlots(rng, nowMs);
  const first = c.history.length === 0;
  const question = thanks
    ? pick(rng, ["Great, thanks, that's all!", 'Perfect, thank you.', 'OK thanks.'])
    : compose(first ? pick(rng, SUPPORT_OPENERS) : pick(rng, SUPPORT_FOLLOWUPS), pick(rng, intent.questions)(s), pick(rng, SUPPORT_CLOSERS));
  const v4 = c.promptVersion === 'support-v4';
  const useTool = !thanks && !c.legacy && v4 && intent.lookup !== undefined;
  const cite = (section: string) => (v4 ? ` (${section})` : '');
  const good = thanks
    ? pick(rng, ["You're welcome! Have a great day.", 'Glad I could help. Take care!'])
    : [pick(rng, SUPPORT_GREETINGS), intent.answer(s, cite), pick(rng, SUPPORT_SIGNOFFS)].filter(Boolean).join(' ');
  const defect = thanks ? 'none' : plan.defect;
  const rendered = render(rng, defect, good, supportDefects(rng, s));

  const app = SUPPORT_APP(c);
  const tags = [c.channel, thanks ? 'smalltalk' : intent.tag, ...(chance(rng, 0.08) ? ['vip'] : [])];
  const root = open(t, app, null, 'chat support-bot', KIND.server, 0, {
    'http.request.method': 'POST',
    'http.route': '/api/chat',
    'session.id': c.sessionId,
    'user.id': c.userId,
    'gen_ai.conversation.id': c.sessionId,
    'sieve.tags': tags,
    [rng() < 0.7 ? 'sieve.prompt_version' : 'gen_ai.prompt.version']: c.promptVersion,
  });
  const user: Message = { role: 'user', parts: [text(question)] };
  const input = [...c.history, user];
  const spec = (messages: Message[], output: Message): ChatSpec => ({
    style: c.legacy ? 'legacy' : 'genai',
    scope: c.legacy ? OPENAI_LEGACY : OPENAI_V2,
    model: c.model,
    system: SUPPORT_SYSTEM[c.promptVersion],
    input: messages,
    output,
    maxTokens: 512,
    temperature: 0.3,
    extra: c.legacy ? undefined : { 'gen_ai.conversation.id': c.sessionId },
  });
  const finalSpec = (messages: Message[]): ChatSpec => ({
    ...spec(messages, { role: 'assistant', parts: [text(rendered.answer)], finish_reason: rendered.finish }),
    maxTokens: rendered.maxTokens ?? 512,
    slow: plan.slow,
    evaluate: plan.evaluate ? defect : undefined,
  });
  const fatalTool = plan.fatal === 'dependency' && useTool;
  const modelGivesUp = plan.fatal !== null && !fatalTool;
  let failures = fatalTool ? [] : plan.failures;
  const failRoot = (end: number, f: Failure) => {
    root.end = end + between(rng, 2, 20);
    set(root, { 'http.response.status_code': 500 });
    fail(root, f);
    return root;
  };

  let at = between(rng, 3, 25);
  let messages = input;
  if (useTool && intent.lookup) {
    const call: ToolCall = {
      id: `call_${hex(rng, 12)}`,
      name: 'lookup_order',
      arguments: { order_id: s.order },
      result: intent.lookup(s),
      ms: [60, 450],
      failure: fatalTool
        ? { status: 'orders-api returned 503', errorType: 'OrderServiceError', exceptionType: 'support_bot.tools.OrderServiceError', exceptionMessage: `GET http://orders-api.internal/v2/orders/${s.order} returned 503 Service Unavailable` }
        : undefined,
    };
    const asked = callModel(t, root, at, spec(messages, { role: 'assistant', parts: [toolCallPart(call)], finish_reason: 'tool_call' }), failures, !modelGivesUp);
    if (!asked.span) return failRoot(asked.end, llmFailure(c.model, failures[failures.length - 1]));
    const tool = executeTool(t, app, root, asked.end + between(rng, 1, 6), call);
    if (call.failure) return failRoot(tool.end, call.failure);
    messages = [...messages, { role: 'assistant', parts: [toolCallPart(call)] }, { role: 'tool', parts: [toolResponsePart(call)] }];
    at = tool.end + between(rng, 1, 6);
    failures = [];
  }
  const answered = callModel(t, root, at, finalSpec(messages), failures, !modelGivesUp);
  if (!answered.span) return failRoot(answered.end, llmFailure(c.model, failures[failures.length - 1]));
  root.end = answered.end + between(rng, 2, 30);
  set(root, { 'http.response.status_code': 200 });
  c.history.push(user, { role: 'assistant', parts: [text(rendered.answer)] });
  return root;
}

// ---------- scenario 2: docs Q&A over RAG (OpenInference) ----------

const DOCS: Record<string, string> = {
  'docs/api/authentication.md#1': 'All API requests must include an API key in the Authorization header as "Bearer <key>". Keys are created under Settings → API keys and can be scoped read-only or read-write.',
  'docs/api/authentication.md#2': 'Keys can be rotated without downtime: create a new key, deploy it, then revoke the old key. Revoked keys stop working within 60 seconds.',
  'docs/api/rate-limits.md#1': 'The default rate limit is 600 requests per minute per API key. Responses include X-RateLimit-Remaining and X-RateLimit-Reset headers.',
  'docs/api/rate-limits.md#2': 'When the limit is exceeded the API returns 429 with a Retry-After header. Clients should back off exponentially, starting at 1 second.',
  'docs/api/pagination.md#1': 'List endpoints return at most 100 items per page. Pass the next_cursor value from the response as the cursor query parameter to fetch the next page.',
  'docs/guides/uploads.md#1': 'Files up to 5 GB can be uploaded with a single PUT. Larger files must use multipart upload with parts between 5 MB and 5 GB, up to 10,000 parts.',
  'docs/guides/uploads.md#2': 'Presigned upload URLs are valid for 15 minutes by default and at most 7 days.',
  'docs/guides/webhooks.md#1': 'Webhooks are signed with HMAC-SHA256 using your endpoint secret; the signature is in the Nimbus-Signature header. Reject events older than 5 minutes.',
  'docs/guides/webhooks.md#2': 'Failed webhook deliveries are retried with exponential backoff for up to 3 days.',
  'docs/sdk/python.md#1': 'Install the Python SDK with `pip install nimbus-sdk`. It requires Python 3.9 or later.',
  'docs/sdk/node.md#1': 'Install the Node SDK with `npm install @nimbus/sdk`. It supports Node 18 and later and ships TypeScript types.',
  'docs/concepts/regions.md#1': "Buckets are created in one region: us-east, us-west, eu-central or ap-southeast. Data never leaves the bucket's region unless replication is enabled.",
  'docs/concepts/retention.md#1': 'Lifecycle rules can delete or archive objects after a number of days. Archived objects are restored in 3–5 hours.',
  'docs/concepts/versioning.md#1': 'When versioning is enabled, every overwrite keeps the previous version. Deleting an object adds a delete marker instead of removing data.',
  'docs/billing/pricing.md#1': 'Storage costs $0.015 per GB-month. Egress to the internet is $0.05 per GB after the first 100 GB each month, which are free.',
  'docs/security/sso.md#1': 'SAML SSO is available on the Business plan. Configure it under Organization → Security with your IdP metadata URL.',
  'docs/api/errors.md#1': 'Errors use a JSON body with code and message. 403 means the key lacks the required scope; 404 means the bucket or object does not exist.',
};
const DOC_IDS = Object.keys(DOCS);

interface DocsIntent {
  questions: string[];
  docs: string[];
  answer: string;
  /** A confident claim the docs do not support; replaces the answer when `docs` is empty. */
  wrong: string;
}

const DOCS_INTENTS: DocsIntent[] = [
  {
    questions: ['How do I authenticate API requests?', 'Where do I put the API key when calling the API?', 'What header does the Nimbus API expect for auth?'],
    docs: ['docs/api/authentication.md#1'],
    answer: 'Send your API key in the Authorization header as `Bearer <key>` [docs/api/authentication.md]. Keys are created under Settings → API keys and can be read-only or read-write.',
    wrong: 'You can also pass the key as an `api_key` query parameter, which is the recommended option for browser apps [docs/api/authentication.md].',
  },
  {
    questions: ['How do I rotate an API key without downtime?', 'What happens to requests when I revoke a key?', 'Best way to rotate keys in production?'],
    docs: ['docs/api/authentication.md#2'],
    answer: 'Create a new key, deploy it, then revoke the old one [docs/api/authentication.md]. A revoked key stops working within 60 seconds, so keep both valid until the new one is rolled out everywhere.',
    wrong: 'Revoked keys keep working for a 24-hour grace period, so there is no need to coordinate the rollout.',
  },
  {
    questions: ['What is the API rate limit?', 'How many requests per minute can one key make?', 'Why am I getting 429 errors from the API?'],
    docs: ['docs/api/rate-limits.md#1', 'docs/api/rate-limits.md#2'],
    answer: 'Each API key may make 600 requests per minute [docs/api/rate-limits.md]. Beyond that the API answers 429 with a Retry-After header; back off exponentially starting at 1 second. X-RateLimit-Remaining tells you how close you are.',
    wrong: 'Business plans can raise this to 10,000 requests per minute by sending the X-Nimbus-Burst header.',
  },
  {
    questions: ['How does pagination work on list endpoints?', 'How do I fetch more than 100 objects from the list API?', 'What is next_cursor in the list response?'],
    docs: ['docs/api/pagination.md#1'],
    answer: 'List endpoints return up to 100 items per page [docs/api/pagination.md]. Pass the `next_cursor` from each response as the `cursor` query parameter to get the next page, and stop when it is absent.',
    wrong: 'Alternatively, set `page_size=all` to get every item in a single response.',
  },
  {
    questions: ['What is the maximum file size for uploads?', 'How do I upload a 20 GB file?', 'When should I use multipart upload?'],
    docs: ['docs/guides/uploads.md#1'],
    answer: 'A single PUT accepts files up to 5 GB [docs/guides/uploads.md]. For anything larger use multipart upload: parts between 5 MB and 5 GB, up to 10,000 parts per object.',
    wrong: 'Files over 5 GB can also go to the /v3/bulk-upload endpoint, which accepts up to 1 TB in one request.',
  },
  {
    questions: ['How long are presigned upload URLs valid?', 'Can a presigned URL last a month?', 'What is the default expiry for presigned URLs?'],
    docs: ['docs/guides/uploads.md#2'],
    answer: 'Presigned URLs are valid for 15 minutes by default and for at most 7 days [docs/guides/uploads.md]. For longer-lived access, issue new URLs on demand.',
    wrong: 'With the `never_expire=true` flag they stay valid indefinitely.',
  },
  {
    questions: ['How do I verify webhook signatures?', 'Which header contains the webhook signature?', 'How can I check a webhook really came from Nimbus?'],
    docs: ['docs/guides/webhooks.md#1'],
    answer: 'Compute an HMAC-SHA256 of the raw request body with your endpoint secret and compare it with the `Nimbus-Signature` header [docs/guides/webhooks.md]. Also reject events older than 5 minutes to prevent replays.',
    wrong: 'Webhooks are also signed with RSA, so you can verify them with the public key at /.well-known/nimbus.pem.',
  },
  {
    questions: ['Are failed webhooks retried?', 'What happens if my webhook endpoint is down for a day?', 'How long does Nimbus keep retrying webhooks?'],
    docs: ['docs/guides/webhooks.md#2'],
    answer: 'Yes: failed deliveries are retried with exponential backoff for up to 3 days [docs/guides/webhooks.md], so a one-day outage is covered. Make your handler idempotent, since an event can arrive more than once.',
    wrong: 'After 5 failed attempts the endpoint is disabled and must be re-enabled by support.',
  },
  {
    questions: ['How do I install the Python SDK?', 'Which Python versions does the SDK support?', 'What is the pip package name for Nimbus?'],
    docs: ['docs/sdk/python.md#1'],
    answer: 'Run `pip install nimbus-sdk` [docs/sdk/python.md]. It needs Python 3.9 or later.',
    wrong: 'It also works on Python 2.7 through the `nimbus-legacy` package.',
  },
  {
    questions: ['How do I use Nimbus from Node.js?', 'Does the Node SDK have TypeScript types?', 'What Node version does @nimbus/sdk need?'],
    docs: ['docs/sdk/node.md#1'],
    answer: 'Install it with `npm install @nimbus/sdk` [docs/sdk/node.md]. It supports Node 18 and later and ships its own TypeScript types, so no @types package is needed.',
    wrong: 'For Deno, import it from https://deno.land/x/nimbus, which is kept in sync with the npm package.',
  },
  {
    questions: ['Which regions can I create buckets in?', 'Can I keep data in the EU?', 'Does data ever leave the bucket region?'],
    docs: ['docs/concepts/regions.md#1'],
    answer: 'Buckets live in one region: us-east, us-west, eu-central or ap-southeast [docs/concepts/regions.md]. Choose eu-central to keep data in the EU; it never leaves the region unless you enable replication.',
    wrong: 'A new region, sa-east (São Paulo), is also available in preview.',
  },
  {
    questions: ['How do I delete objects automatically after 30 days?', 'How long does restoring an archived object take?', 'Can I archive old files to save money?'],
    docs: ['docs/concepts/retention.md#1'],
    answer: 'Add a lifecycle rule that deletes or archives objects after a number of days [docs/concepts/retention.md]. Archived objects take 3–5 hours to restore, so archive only what you rarely read.',
    wrong: 'Archived objects restore instantly with the `expedited` flag at no extra cost.',
  },
  {
    questions: ['What happens when I overwrite an object with versioning on?', 'How do I recover a deleted file?', 'Does deleting an object remove it permanently?'],
    docs: ['docs/concepts/versioning.md#1'],
    answer: 'With versioning enabled, every overwrite keeps the previous version and a delete only adds a delete marker [docs/concepts/versioning.md]. Remove the marker, or fetch an older version by ID, to recover the file.',
    wrong: 'Old versions are kept for 30 days, after which they are purged automatically.',
  },
  {
    questions: ['How much does storage cost?', 'Is egress free?', 'What does it cost to serve 500 GB of downloads a month?'],
    docs: ['docs/billing/pricing.md#1'],
    answer: 'Storage is $0.015 per GB-month [docs/billing/pricing.md]. The first 100 GB of internet egress each month are free and the rest is $0.05 per GB, so 500 GB of downloads costs about $20 in egress.',
    wrong: 'Egress within the same continent is always free.',
  },
  {
    questions: ['How do I set up SAML SSO?', 'Do you support Okta SSO?', 'Which plan includes single sign-on?'],
    docs: ['docs/security/sso.md#1'],
    answer: "SAML SSO is part of the Business plan [docs/security/sso.md]. Configure it under Organization → Security with your identity provider's metadata URL; Okta, Entra ID and other SAML 2.0 providers work.",
    wrong: 'SSO is also included on the free plan for up to 5 users.',
  },
  {
    questions: ['What does a 403 from the API mean?', 'Why do I get 404 for an object I just uploaded?', 'What format do API errors have?'],
    docs: ['docs/api/errors.md#1'],
    answer: 'Errors are JSON with `code` and `message` [docs/api/errors.md]. A 403 means the key lacks the required scope (for example a read-only key writing); a 404 means the bucket or object does not exist, so check the bucket name and region.',
    wrong: 'A 404 right after an upload is normal: new objects take up to 10 minutes to become visible.',
  },
  {
    questions: ['Does Nimbus have a GraphQL API?', 'Can I query buckets with GraphQL?'],
    docs: [],
    answer: "I couldn't find anything about GraphQL in the Nimbus documentation. The documented API is REST over HTTPS; for anything else, please ask Nimbus support.",
    wrong: 'Yes. Send GraphQL queries to https://api.nimbus.dev/graphql with the same Bearer key [docs/api/graphql.md].',
  },
  {
    questions: ['Is there a Terraform provider for Nimbus?', 'How do I manage buckets with Terraform?'],
    docs: [],
    answer: "The documentation I have doesn't mention Terraform. You can manage buckets through the REST API or the Python and Node SDKs.",
    wrong: 'Yes: use the official `nimbus/nimbus` provider and the `nimbus_bucket` resource [docs/guides/terraform.md].',
  },
  {
    questions: ['Can I run Nimbus on-prem?', 'Is there a self-hosted version of Nimbus?'],
    docs: [],
    answer: "The documentation doesn't describe a self-hosted edition; Nimbus is documented as a hosted service in four regions.",
    wrong: 'Yes, Nimbus Enterprise ships as a Helm chart for Kubernetes clusters [docs/enterprise/self-hosting.md].',
  },
];

const DOCS_PREFIXES = ['', '', '', 'Quick question: ', 'Hi! ', 'Hey, ', 'From the docs: '];
const DOCS_SUFFIXES = ['', '', '', ' Thanks!', ' We are on the Business plan.', ' (asking for our backend team)', ' Need this for a customer demo today.'];
const DOCS_CURT = ['See the docs.', 'Check the API reference.', 'Not supported.', 'Read the authentication guide.'];

const RAG_TEMPLATES: Record<string, string> = {
  'rag-v2':
    'Context information is below.\n---------------------\n{context_str}\n---------------------\nGiven the context information and not prior knowledge, answer the query.\nQuery: {query_str}\nAnswer: ',
  'rag-v3':
    'You are the Nimbus documentation assistant. Answer only from the context below and cite the source path in square brackets. If the context does not contain the answer, say so.\n\nContext:\n{context_str}\n\nQuestion: {query_str}',
};

const LLAMA_INDEX: ScopeJson = { name: 'openinference.instrumentation.llama_index', version: '4.3.4' };

function retrieved(rng: Rng, intent: DocsIntent): { id: string; score: number }[] {
  const relevant = intent.docs.map((id) => ({ id, score: round2(between(rng, 0.78, 0.93)) }));
  const others = sample(rng, DOC_IDS.filter((id) => !intent.docs.includes(id)), 4 - relevant.length).map((id) => ({
    id,
    score: round2(between(rng, 0.31, relevant.length ? 0.62 : 0.52)),
  }));
  return [...relevant, ...others].sort((a, b) => b.score - a.score);
}

function ragTurn(t: TraceDraft, c: Conversation, plan: Plan): Draft {
  const { rng } = t;
  const index = int(rng, 0, DOCS_INTENTS.length - 1);
  const intent = DOCS_INTENTS[index];
  const question = compose(pick(rng, DOCS_PREFIXES), pick(rng, intent.questions), pick(rng, DOCS_SUFFIXES));
  const other = DOCS_INTENTS[(index + int(rng, 1, DOCS_INTENTS.length - 1)) % DOCS_INTENTS.length];
  const rendered = render(rng, plan.defect, intent.answer, {
    hallucination: intent.wrong,
    replaceOnHallucination: intent.docs.length === 0,
    curt: DOCS_CURT,
    offTopic: [other.answer],
  });
  const session = { 'session.id': c.sessionId, 'user.id': c.userId };
  const tags = [c.channel, intent.docs.length ? (intent.docs[0].split('/')[1] ?? 'docs') : 'unanswerable'];
  const root = open(t, LLAMA_INDEX, null, 'RetrieverQueryEngine.query', KIND.internal, 0, {
    'openinference.span.kind': 'CHAIN',
    'input.value': question,
    'input.mime_type': 'text/plain',
    ...session,
    'tag.tags': tags,
    metadata: JSON.stringify({ docs_version: '2025-06', index: 'nimbus-docs' }),
  });
  const failRoot = (end: number, f: Failure) => {
    root.end = end + between(rng, 1, 8);
    fail(root, f);
    return root;
  };

  const retriever = open(t, LLAMA_INDEX, root, 'VectorIndexRetriever.retrieve', KIND.internal, between(rng, 1, 5), {
    'openinference.span.kind': 'RETRIEVER',
    'input.value': question,
    'input.mime_type': 'text/plain',
  });
  const embedding = open(t, LLAMA_INDEX, retriever, 'OpenAIEmbedding.get_query_embedding', KIND.internal, retriever.start + between(rng, 0.2, 2), {
    'openinference.span.kind': 'EMBEDDING',
    'embedding.model_name': 'text-embedding-3-small',
    'embedding.embeddings.0.embedding.text': question,
  });
  embedding.end = embedding.start + logNormal(rng, 60, 0.4, 25, 120);
  retriever.end = embedding.end + logNormal(rng, 30, 0.5, 10, 75);
  if (plan.fatal === 'dependency') {
    const f: Failure = {
      status: 'vector store unavailable',
      errorType: 'ConnectionError',
      exceptionType: 'qdrant_client.http.exceptions.ResponseHandlingException',
      exceptionMessage: '[Errno 111] Connection refused (qdrant.internal:6333)',
    };
    fail(retriever, f);
    return failRoot(retriever.end, f);
  }
  let docs = retrieved(rng, intent);
  set(
    retriever,
    Object.fromEntries(
      docs.flatMap((d, i) => [
        [`retrieval.documents.${i}.document.id`, d.id],
        [`retrieval.documents.${i}.document.content`, DOCS[d.id]],
        [`retrieval.documents.${i}.document.score`, dbl(d.score)],
        [`retrieval.documents.${i}.document.metadata`, JSON.stringify({ file_path: d.id.split('#')[0] })],
      ]),
    ),
  );
  let at = retriever.end + between(rng, 0.5, 3);
  if (chance(rng, 0.35)) {
    const reranker = open(t, LLAMA_INDEX, root, 'CohereRerank.postprocess_nodes', KIND.internal, at, {
      'openinference.span.kind': 'RERANKER',
      'reranker.model_name': 'rerank-english-v3.0',
      'reranker.query': question,
      'reranker.top_k': 3,
      ...Object.fromEntries(docs.flatMap((d, i) => [[`reranker.input_documents.${i}.document.id`, d.id], [`reranker.input_documents.${i}.document.score`, dbl(d.score)]])),
    });
    docs = docs.slice(0, 3);
    reranker.end = at + logNormal(rng, 120, 0.35, 60, 260);
    set(reranker, Object.fromEntries(docs.flatMap((d, i) => [[`reranker.output_documents.${i}.document.id`, d.id], [`reranker.output_documents.${i}.document.content`, DOCS[d.id]]])));
    at = reranker.end + between(rng, 0.5, 3);
  }

  const context = docs.map((d) => `[${d.id.split('#')[0]}]\n${DOCS[d.id]}`).join('\n\n');
  const template = RAG_TEMPLATES[c.promptVersion];
  const filled = template.replace('{context_str}', context).replace('{query_str}', question);
  const v3 = c.promptVersion === 'rag-v3';
  const synth = open(t, LLAMA_INDEX, root, 'CompactAndRefine.get_response', KIND.internal, at, { 'openinference.span.kind': 'CHAIN', 'input.value': question });
  const spec: ChatSpec = {
    style: 'openinference',
    scope: LLAMA_INDEX,
    model: c.model,
    system: v3 ? filled.slice(0, filled.lastIndexOf('\n\nQuestion:')) : 'You are a helpful assistant.',
    input: [...c.history, { role: 'user', parts: [text(v3 ? question : filled)] }],
    output: { role: 'assistant', parts: [text(rendered.answer)], finish_reason: rendered.finish },
    maxTokens: rendered.maxTokens ?? 1024,
    temperature: 0.1,
    slow: plan.slow,
    evaluate: plan.evaluate ? plan.defect : undefined,
    extra: {
      ...session,
      'llm.prompt_template.template': template,
      'llm.prompt_template.version': c.promptVersion,
      'llm.prompt_template.variables': JSON.stringify({ context_str: context, query_str: question }),
    },
  };
  const answered = callModel(t, synth, at + between(rng, 0.5, 4), spec, plan.failures, plan.fatal !== 'llm');
  synth.end = answered.end + between(rng, 0.3, 3);
  if (!answered.span) {
    const f = llmFailure(c.model, plan.failures[plan.failures.length - 1]);
    fail(synth, f);
    return failRoot(synth.end, f);
  }
  set(synth, { 'output.value': rendered.answer });
  root.end = synth.end + between(rng, 0.5, 6);
  set(root, { 'output.value': rendered.answer, 'output.mime_type': 'text/plain' });
  c.history.push({ role: 'user', parts: [text(question)] }, { role: 'assistant', parts: [text(rendered.answer)] });
  return root;
}

// ---------- scenario 3: travel agent with tools (OTel GenAI agent spans) ----------

interface City {
  city: string;
  code: string;
  currency: string;
}

const CITIES: City[] = [
  { city: 'Berlin', code: 'BER', currency: 'EUR' },
  { city: 'Lisbon', code: 'LIS', currency: 'EUR' },
  { city: 'New York', code: 'JFK', currency: 'USD' },
  { city: 'San Francisco', code: 'SFO', currency: 'USD' },
  { city: 'London', code: 'LHR', currency: 'GBP' },
  { city: 'Tokyo', code: 'HND', currency: 'JPY' },
  { city: 'Barcelona', code: 'BCN', currency: 'EUR' },
  { city: 'Chicago', code: 'ORD', currency: 'USD' },
  { city: 'Toronto', code: 'YYZ', currency: 'CAD' },
  { city: 'Singapore', code: 'SIN', currency: 'SGD' },
  { city: 'Paris', code: 'CDG', currency: 'EUR' },
  { city: 'Amsterdam', code: 'AMS', currency: 'EUR' },
  { city: 'Austin', code: 'AUS', currency: 'USD' },
  { city: 'Dublin', code: 'DUB', currency: 'EUR' },
];
const AIRLINES: [string, string][] = [
  ['Lufthansa', 'LH'], ['TAP Air Portugal', 'TP'], ['United', 'UA'], ['Delta', 'DL'], ['British Airways', 'BA'], ['KLM', 'KL'],
  ['Air France', 'AF'], ['Iberia', 'IB'], ['ANA', 'NH'], ['Air Canada', 'AC'], ['Singapore Airlines', 'SQ'], ['Aer Lingus', 'EI'],
];
const HOTEL_NAMES = ['Riverside', 'Linden', 'Meridian', 'Parkside', 'Azul', 'Arcadia', 'Harbor View', 'The Foundry', 'Casa Nova', 'Motel One'];
const USD_RATE: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 155, CAD: 1.37, SGD: 1.35 };
const SYMBOL: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CAD: 'CA$', SGD: 'S$' };

function money(usd: number, currency: string): { amount: number; currency: string } {
  const amount = usd * USD_RATE[currency];
  return { amount: currency === 'JPY' ? Math.round(amount / 100) * 100 : Math.round(amount), currency };
}
const fmt = (m: { amount: number; currency: string }): string => `${SYMBOL[m.currency]}${String(m.amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
/** Departure and arrival as ISO local times; long flights land the next day. */
function schedule(rng: Rng, dateMs: number): { departs: string; arrives: string } {
  const departs = dateMs - (dateMs % DAY_MS) + int(rng, 6 * 12, 21 * 12) * 300_000;
  const arrives = departs + int(rng, 14, 160) * 300_000;
  return { departs: new Date(departs).toISOString().slice(0, 16), arrives: new Date(arrives).toISOString().slice(0, 16) };
}

const TRAVEL_SYSTEM =
  "You are Journey, Wayfare's travel-planning agent. Use the tools to look up real flights, hotels, weather and exchange rates; never invent options or prices. Quote prices in the traveller's currency. Confirm before booking unless the traveller explicitly asks you to book.";

type TripKind = 'flights' | 'flights_hotel' | 'weather_flights' | 'book' | 'weekend' | 'currency';

interface Trip {
  question: string;
  rounds: ToolCall[][];
  answer: () => string;
  apology: string;
  hallucination: string;
  offTopic: string[];
}

interface Flight {
  flight_id: string;
  airline: string;
  departs: string;
  arrives: string;
  stops: number;
  price: { amount: number; currency: string };
}

function planTrip(rng: Rng, nowMs: number, userId: string): Trip {
  const [origin, dest] = sample(rng, CITIES, 2);
  const dateMs = nowMs + int(rng, 5, 60) * DAY_MS;
  const date = isoDate(dateMs);
  const when = dayName(dateMs);
  const nights = int(rng, 2, 5);
  const cabin = weighted(rng, [['economy', 75], ['premium_economy', 10], ['business', 15]] as const);
  const cabinText = cabin === 'economy' ? '' : ` in ${cabin.replace('_', ' ')}`;
  const baseUsd = int(rng, 90, 900) * (cabin === 'business' ? 3.2 : cabin === 'premium_economy' ? 1.6 : 1);
  const flights: Flight[] = sample(rng, AIRLINES, 3)
    .map(([airline, code], i) => ({
      flight_id: `${code}${int(rng, 100, 2999)}`,
      airline,
      ...schedule(rng, dateMs),
      stops: i === 0 ? 0 : int(rng, 0, 1),
      price: money(baseUsd * between(rng, 0.8, 1.6), origin.currency),
    }))
    .sort((a, b) => a.price.amount - b.price.amount);
  const budget = money(int(rng, 120, 320), origin.currency);
  const hotels = sample(rng, HOTEL_NAMES, 3)
    .map((name) => ({
      name: `${name} ${dest.city}`,
      stars: int(rng, 3, 5),
      price_per_night: money(int(rng, 90, 300), origin.currency),
      distance_to_center_km: round2(between(rng, 0.2, 4.5)),
    }))
    .sort((a, b) => a.price_per_night.amount - b.price_per_night.amount);
  const weather = { city: dest.city, date, condition: pick(rng, ['sunny', 'partly cloudy', 'light rain', 'overcast', 'showers']), high_c: int(rng, 4, 33), low_c: 0, precipitation_chance: round2(between(rng, 0.05, 0.8)) };
  weather.low_c = weather.high_c - int(rng, 4, 10);
  const id = () => `call_${hex(rng, 12)}`;
  const search: ToolCall = { id: id(), name: 'search_flights', arguments: { origin: origin.code, destination: dest.code, date, cabin }, result: { flights }, ms: [200, 800] };
  const hotel: ToolCall = {
    id: id(),
    name: 'search_hotels',
    arguments: { city: dest.city, check_in: date, check_out: isoDate(dateMs + nights * DAY_MS), max_price_per_night: budget.amount, currency: budget.currency },
    result: { hotels },
    ms: [150, 700],
  };
  const forecast: ToolCall = { id: id(), name: 'get_weather', arguments: { city: dest.city, date }, result: weather, ms: [50, 200] };
  const cheapest = flights[0];
  const second = flights[1];
  const flightLine = `The cheapest option is ${cheapest.airline} ${cheapest.flight_id}, leaving ${origin.city} at ${cheapest.departs.slice(11)} on ${when} and arriving ${cheapest.arrives.slice(11)}${cheapest.arrives.slice(0, 10) === date ? '' : ' the next day'} (${cheapest.stops ? '1 stop' : 'nonstop'}), for ${fmt(cheapest.price)}. Next best: ${second.airline} ${second.flight_id} at ${second.departs.slice(11)} for ${fmt(second.price)}.`;
  const hotelLine = `To stay, ${hotels[0].name} (${hotels[0].stars}★, ${hotels[0].distance_to_center_km} km from the center) is ${fmt(hotels[0].price_per_night)} a night, ${fmt({ ...hotels[0].price_per_night, amount: hotels[0].price_per_night.amount * nights })} for ${nights} nights.`;
  const weatherLine = `Expect ${weather.condition} in ${dest.city} on ${when}, with highs around ${weather.high_c}°C and lows near ${weather.low_c}°C.`;
  const bogus = pick(rng, AIRLINES);
  const common = {
    apology: `Sorry, the flight search service isn't responding right now, so I can't show live fares from ${origin.city} to ${dest.city}. Want me to try again in a few minutes?`,
    hallucination: `There's also a nonstop ${bogus[0]} ${bogus[1]}${int(rng, 3000, 3999)} at 06:00 for just ${fmt({ ...cheapest.price, amount: Math.round(cheapest.price.amount * 0.55) })}.`,
    offTopic: [
      'Did you know Wayfare members earn double points on hotel stays this month?',
      `Fun fact: ${dest.city} has some of the best street food in the world. Try a food tour on your first evening!`,
      'Packing tips: roll your clothes, bring a universal adapter and keep medication in your carry-on.',
    ],
  };
  const kind = weighted<TripKind>(rng, [['flights', 30], ['flights_hotel', 20], ['weather_flights', 15], ['book', 15], ['weekend', 12], ['currency', 8]]);
  const o = origin.city;
  const d = dest.city;
  switch (kind) {
    case 'flights':
      return {
        ...common,
        question: pick(rng, [
          `Find me a flight from ${o} to ${d} on ${when}${cabinText}.`,
          `What are the cheapest flights ${o} → ${d} on ${date}?`,
          `I need to fly ${o} to ${d} on ${when}${cabinText}. What are my options?`,
          `Any nonstop flights from ${o} to ${d} on ${when}?`,
        ]),
        rounds: [[search]],
        answer: () => `${flightLine} Want me to book one of these?`,
      };
    case 'flights_hotel':
      return {
        ...common,
        question: pick(rng, [
          `I have a conference in ${d} starting ${when}. Find flights from ${o} and a hotel near the center under ${fmt(budget)} a night.`,
          `Plan ${nights} nights in ${d} from ${o} starting ${date}: flights plus a hotel, budget ${fmt(budget)}/night.`,
        ]),
        rounds: [[search, hotel]],
        answer: () => `${flightLine} ${hotelLine}`,
      };
    case 'weather_flights':
      return {
        ...common,
        question: pick(rng, [
          `What's the weather going to be like in ${d} on ${when}, and how much are flights from ${o}?`,
          `Thinking about ${d} around ${when}. Will it rain? And what do flights from ${o} cost?`,
        ]),
        rounds: [[forecast, search]],
        answer: () => `${weatherLine} ${flightLine}`,
      };
    case 'book': {
      const confirmation = `WF-${hex(rng, 3).toUpperCase()}`;
      const book: ToolCall = {
        id: id(),
        name: 'book_flight',
        arguments: { flight_id: cheapest.flight_id, date, passenger_id: userId },
        result: { confirmation, status: 'confirmed', flight_id: cheapest.flight_id, total: cheapest.price },
        ms: [300, 800],
      };
      return {
        ...common,
        question: pick(rng, [`Book the cheapest flight from ${o} to ${d} on ${when}.`, `Please book me on the cheapest ${o} to ${d} flight on ${date}, aisle if possible.`]),
        rounds: [[search], [book]],
        answer: () =>
          `Done! You're booked on ${cheapest.airline} ${cheapest.flight_id} from ${o} on ${when} at ${cheapest.departs.slice(11)}, confirmation ${confirmation}, total ${fmt(cheapest.price)}. The e-ticket is on its way to your email.`,
      };
    }
    case 'weekend':
      return {
        ...common,
        question: pick(rng, [
          `Plan a weekend in ${d} from ${o}: leaving ${when}, ${nights} nights, something stylish but not crazy expensive.`,
          `Surprise trip for my partner: ${o} to ${d} on ${when} for ${nights} nights. Flights, a nice hotel, and tell me what to pack.`,
        ]),
        rounds: [[search, hotel, forecast]],
        answer: () => `${flightLine} ${hotelLine} ${weatherLine} Pack ${weather.precipitation_chance > 0.4 ? 'an umbrella and ' : ''}layers.`,
      };
    default: {
      const amount = int(rng, 2, 40) * 50;
      const from = origin.currency === dest.currency ? 'USD' : origin.currency;
      const rate = Number((USD_RATE[dest.currency] / USD_RATE[from]).toPrecision(4));
      const converted = Math.round(amount * rate);
      const convert: ToolCall = { id: id(), name: 'convert_currency', arguments: { amount, from, to: dest.currency }, result: { rate, result: converted }, ms: [50, 150] };
      return {
        ...common,
        question: pick(rng, [`How much is ${amount} ${from} in ${dest.currency}? I'm budgeting for ${d}.`, `Convert ${amount} ${from} to ${dest.currency} for me, please.`]),
        rounds: [[convert]],
        answer: () => `${amount} ${from} is about ${converted.toLocaleString('en-US')} ${dest.currency} at today's rate.`,
        hallucination: `That's enough for roughly a week in ${d}, since the average hotel there is ${fmt(money(35, dest.currency))} a night.`,
      };
    }
  }
}

const TRAVEL_APP = (c: Conversation): ScopeJson => ({ name: 'travel-agent', version: c.version });

function travelTurn(t: TraceDraft, c: Conversation, plan: Plan, nowMs: number): Draft {
  const { rng } = t;
  const trip = planTrip(rng, nowMs, c.userId);
  const app = TRAVEL_APP(c);
  const toolTrouble = plan.fatal === 'dependency' || (plan.fatal === null && chance(rng, 0.06));
  const firstTool = trip.rounds[0][0];
  if (toolTrouble) {
    firstTool.failure = {
      status: 'upstream timeout',
      errorType: 'UpstreamTimeoutError',
      exceptionType: 'UpstreamTimeoutError',
      exceptionMessage: `${firstTool.name}: provider did not respond within 8000 ms`,
    };
    firstTool.ms = [8000, 8050];
  }
  const user: Message = { role: 'user', parts: [text(trip.question)] };
  const root = open(t, app, null, 'invoke_agent travel-agent', KIND.internal, 0, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'travel-agent',
    'gen_ai.agent.id': 'agent_journey_v2',
    'gen_ai.agent.description': 'Plans trips: flights, hotels, weather and currency.',
    'gen_ai.provider.name': c.model.provider,
    'gen_ai.request.model': c.model.request,
    'gen_ai.conversation.id': c.sessionId,
    'session.id': c.sessionId,
    'user.id': c.userId,
    'sieve.tags': [c.channel, trip.rounds.flat().some((r) => r.name === 'book_flight') ? 'booking' : 'planning'],
    'sieve.prompt_version': c.promptVersion,
    'gen_ai.input.messages': JSON.stringify([user]),
  });
  const spec = (input: Message[], output: Message): ChatSpec => ({
    style: 'genai',
    scope: app,
    model: c.model,
    system: TRAVEL_SYSTEM,
    input,
    output,
    maxTokens: 1024,
    temperature: 0.4,
    extra: { 'gen_ai.conversation.id': c.sessionId, 'gen_ai.agent.name': 'travel-agent' },
  });
  const failRoot = (end: number, f: Failure) => {
    root.end = end + between(rng, 2, 20);
    fail(root, f);
    return root;
  };

  let messages: Message[] = [...c.history, user];
  let at = between(rng, 5, 30);
  let failed = false;
  for (const [round, calls] of trip.rounds.entries()) {
    const first = round === 0;
    const failures = first && plan.fatal !== 'dependency' ? plan.failures : [];
    const output: Message = { role: 'assistant', parts: calls.map(toolCallPart), finish_reason: 'tool_call' };
    const asked = callModel(t, root, at, spec(messages, output), failures, !(first && plan.fatal === 'llm'));
    if (!asked.span) return failRoot(asked.end, llmFailure(c.model, plan.failures[plan.failures.length - 1]));
    // Parallel tool calls start together, so their spans overlap like a real agent's.
    const start = asked.end + between(rng, 1, 8);
    const ends = calls.map((call) => executeTool(t, app, root, start + between(rng, 0, 3), call).end);
    const end = Math.max(...ends);
    messages = [...messages, { role: 'assistant', parts: calls.map(toolCallPart) }, { role: 'tool', parts: calls.map(toolResponsePart) }];
    at = end + between(rng, 1, 8);
    if (calls.some((call) => call.failure)) {
      if (plan.fatal === 'dependency') return failRoot(end, firstTool.failure as Failure);
      failed = true;
      break;
    }
  }
  const defect = failed ? 'none' : plan.defect;
  const rendered = failed
    ? { answer: trip.apology, finish: 'stop' }
    : render(rng, defect, trip.answer(), { hallucination: trip.hallucination, curt: ['Flights found. Pick one.', 'Check the app.', 'Prices vary.', 'Done.'], offTopic: trip.offTopic });
  const output: Message = { role: 'assistant', parts: [text(rendered.answer)], finish_reason: rendered.finish };
  const answered = callModel(t, root, at, {
    ...spec(messages, output),
    maxTokens: 'maxTokens' in rendered && rendered.maxTokens ? rendered.maxTokens : 1024,
    slow: plan.slow,
    evaluate: plan.evaluate ? defect : undefined,
  });
  root.end = answered.end + between(rng, 2, 20);
  set(root, { 'gen_ai.output.messages': JSON.stringify([output]) });
  c.history.push(user, { role: 'assistant', parts: [text(rendered.answer)] });
  return root;
}

// ---------- public API ----------

/** One generated trace: its resource group, and where it sits in time (epoch ms). */
export interface GeneratedTrace {
  traceId: string;
  startMs: number;
  endMs: number;
  resourceSpans: ResourceSpansJson;
  /** The planted answer defect ('none' for a good answer), the ground truth for demo signals. */
  defect: Defect;
  /** True when the trace ends in an error. */
  failed: boolean;
}

export type { Defect };

/**
 * One trace starting at `startMs`: the next turn of `conversation` (which keeps the chat
 * history), or the first turn of a new random conversation.
 */
export function makeTrace(rng: Rng, opts: { startMs: number; conversation?: Conversation }): GeneratedTrace {
  const c = opts.conversation ?? newConversation(rng);
  const startMs = Math.floor(opts.startMs);
  const t: TraceDraft = { rng, traceId: hex(rng, 16), spans: [] };
  const plan = samplePlan(rng);
  const root =
    c.service === 'support-bot' ? supportTurn(t, c, plan, startMs) : c.service === 'docs-rag' ? ragTurn(t, c, plan) : travelTurn(t, c, plan, startMs);
  const failed = plan.fatal !== null;
  return {
    traceId: t.traceId,
    startMs,
    endMs: startMs + Math.ceil(root.end),
    resourceSpans: toResourceSpans(t, resourceOf(c), startMs),
    defect: failed ? 'none' : plan.defect,
    failed,
  };
}

/** Merges traces into one request: one resourceSpans per resource, one scopeSpans per scope. */
function toRequest(traces: GeneratedTrace[]): OtlpJsonRequest {
  const byResource = new Map<string, ResourceSpansJson>();
  for (const tr of traces) {
    const key = JSON.stringify(tr.resourceSpans.resource);
    let rs = byResource.get(key);
    if (!rs) byResource.set(key, (rs = { resource: tr.resourceSpans.resource, scopeSpans: [] }));
    for (const ss of tr.resourceSpans.scopeSpans) {
      const same = rs.scopeSpans.find((x) => x.scope.name === ss.scope.name && x.scope.version === ss.scope.version);
      if (same) same.spans.push(...ss.spans);
      else rs.scopeSpans.push({ scope: ss.scope, spans: [...ss.spans] });
    }
  }
  return { resourceSpans: [...byResource.values()] };
}

export const MAX_TRACES_PER_REQUEST = 20;
/** Room left before `endMs` for a whole conversation (3 turns with pauses), so traces end in range. */
const CONVERSATION_ROOM_MS = 20 * 60_000;

/** A start time in [lo, hi], denser in the busy hours (peak around 15:00 UTC) like real traffic. */
function trafficTime(rng: Rng, lo: number, hi: number): number {
  for (let i = 0; i < 20; i++) {
    const ms = between(rng, lo, hi);
    const hour = (ms / 3_600_000) % 24;
    if (rng() < 0.3 + 0.35 * (1 + Math.cos(((hour - 15) / 24) * 2 * Math.PI))) return ms;
  }
  return between(rng, lo, hi);
}

/**
 * `count` traces spread over [startMs, endMs] (conversations of 1–3 turns share a session),
 * in time order, as OTLP/JSON export requests of at most 20 traces each.
 */
export function generateTraces(opts: { count: number; seed?: number; startMs: number; endMs: number }): OtlpJsonRequest[] {
  return generateDemo(opts).requests;
}

/** `generateTraces` plus each trace's ground truth (defect, failure), for demo evaluations and feedback. */
export function generateDemo(opts: { count: number; seed?: number; startMs: number; endMs: number }): {
  requests: OtlpJsonRequest[];
  traces: GeneratedTrace[];
} {
  const rng = mulberry32(opts.seed ?? 1);
  const latest = Math.max(opts.startMs, opts.endMs - CONVERSATION_ROOM_MS);
  const traces: GeneratedTrace[] = [];
  while (traces.length < opts.count) {
    const conversation = newConversation(rng);
    let at = trafficTime(rng, opts.startMs, latest);
    for (let turn = 0; turn < conversation.turns && traces.length < opts.count; turn++) {
      const trace = makeTrace(rng, { startMs: at, conversation });
      traces.push(trace);
      at = trace.endMs + between(rng, 15_000, 180_000);
    }
  }
  traces.sort((a, b) => a.startMs - b.startMs);
  const requests: OtlpJsonRequest[] = [];
  for (let i = 0; i < traces.length; i += MAX_TRACES_PER_REQUEST) requests.push(toRequest(traces.slice(i, i + MAX_TRACES_PER_REQUEST)));
  return { requests, traces };
}

/** 2025-06-02T09:00:00Z: bench batches are fully deterministic unless a start is given. */
const BENCH_START_MS = Date.UTC(2025, 5, 2, 9);

/**
 * An ingest-benchmark batch of exactly `traces` × `spansPerTrace` spans: each trace an
 * `invoke_agent` root whose children alternate model calls (with growing message history)
 * and tool executions, ending on a final answer when the count allows.
 */
export function benchBatch(seed: number, traces = 10, spansPerTrace = 10, startMs = BENCH_START_MS): OtlpJsonRequest {
  const rng = mulberry32(seed);
  const out: GeneratedTrace[] = [];
  for (let i = 0; i < traces; i++) {
    const c = newConversation(rng, 'travel-agent', 'production');
    const app = TRAVEL_APP(c);
    const t: TraceDraft = { rng, traceId: hex(rng, 16), spans: [] };
    const trip = planTrip(rng, startMs, c.userId);
    const calls = trip.rounds.flat();
    const user: Message = { role: 'user', parts: [text(trip.question)] };
    const root = open(t, app, null, 'invoke_agent travel-agent', KIND.internal, 0, {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'travel-agent',
      'gen_ai.provider.name': c.model.provider,
      'gen_ai.request.model': c.model.request,
      'session.id': c.sessionId,
      'user.id': c.userId,
    });
    let messages: Message[] = [user];
    let at = between(rng, 2, 10);
    let call = calls[0];
    for (let n = 1; n < spansPerTrace; n++) {
      if (n % 2 === 1) call = { ...calls[((n - 1) / 2) % calls.length], id: `call_${hex(rng, 12)}` };
      else {
        at = executeTool(t, app, root, at, call).end + between(rng, 1, 5);
        messages = [...messages, { role: 'assistant', parts: [toolCallPart(call)] }, { role: 'tool', parts: [toolResponsePart(call)] }];
        continue;
      }
      const last = n === spansPerTrace - 1;
      const output: Message = last
        ? { role: 'assistant', parts: [text(trip.answer())], finish_reason: 'stop' }
        : { role: 'assistant', parts: [toolCallPart(call)], finish_reason: 'tool_call' };
      const spec: ChatSpec = { style: 'genai', scope: app, model: c.model, system: TRAVEL_SYSTEM, input: messages, output, maxTokens: 1024, temperature: 0.4 };
      at = callModel(t, root, at, spec).end + between(rng, 1, 5);
    }
    root.end = at + between(rng, 1, 10);
    const traceStart = startMs + i * 1000;
    out.push({ traceId: t.traceId, startMs: traceStart, endMs: traceStart + root.end, resourceSpans: toResourceSpans(t, resourceOf(c), traceStart), defect: 'none', failed: false });
  }
  return toRequest(out);
}
