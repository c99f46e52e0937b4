import type { NormalizedSpan } from '../otlp/types';
import { bagOf, num, type Bag } from './attrs';
import { appContext } from './context';
import { genAiPart } from './genai';
import { legacyGenAiPart } from './genai-legacy';
import { openInferencePart } from './openinference';
import type { ViewPart } from './part';
import { previews } from './preview';
import { estimateCost } from './pricing';
import type { LlmSpanKind, LlmView, Usage } from './types';
import { vercelPart } from './vercel';

// Only model calls get an estimated cost: agent and chain spans repeat their children's usage
// as totals, and pricing those too would count the same tokens twice in a trace.
const PRICED_KINDS = new Set<LlmSpanKind>(['llm', 'embedding']);

/**
 * What an LLM-observability user wants to see of one span, whichever convention the sender
 * used. Where conventions overlap, current GenAI wins over legacy GenAI, then OpenInference,
 * then the Vercel AI SDK; only the span kind prefers OpenInference, which states it outright.
 * Pure and total: malformed attributes degrade the view, they never throw.
 */
export function mapSpan(span: NormalizedSpan): LlmView {
  try {
    return buildView(span);
  } catch {
    return { kind: 'span', usage: {}, inputMessages: [], outputMessages: [], toolCalls: [], tags: [], retryAttempt: 0 };
  }
}

function buildView(span: NormalizedSpan): LlmView {
  const attrs = bagOf(span.attributes);
  const [genai, legacy, oi, vercel] = [
    genAiPart(span, attrs),
    legacyGenAiPart(span, attrs),
    openInferencePart(attrs),
    vercelPart(attrs),
  ];
  const parts = [genai, legacy, oi, vercel];
  const usage = withTotal(merge(parts.map((p) => p.usage)) ?? {});
  const requestModel = pick(parts, 'requestModel');
  const responseModel = pick(parts, 'responseModel');
  const model = responseModel ?? requestModel;
  const inputMessages = pick(parts, 'inputMessages') ?? [];
  const outputMessages = pick(parts, 'outputMessages') ?? [];
  const messageCount = inputMessages.length + outputMessages.length;
  const kind = oi.kind ?? genai.kind ?? legacy.kind ?? vercel.kind ?? inferKind(model, messageCount, usage);
  const context = appContext(attrs, bagOf(span.resource));
  const view: LlmView = {
    kind,
    operation: pick(parts, 'operation'),
    provider: pick(parts, 'provider'),
    requestModel,
    responseModel,
    model,
    usage,
    costUsd: explicitCost(attrs) ?? (PRICED_KINDS.has(kind) ? estimateCost(model, usage) : undefined),
    systemInstructions: pick(parts, 'systemInstructions'),
    inputMessages,
    outputMessages,
    input: inputMessages.length ? undefined : pick(parts, 'input'),
    output: outputMessages.length ? undefined : pick(parts, 'output'),
    toolCalls: outputMessages.flatMap((m) => m.toolCalls ?? []),
    tool: merge(parts.map((p) => p.tool)),
    sessionId: context.sessionId,
    conversationId: pick(parts, 'conversationId'),
    userId: context.userId,
    tags: context.tags,
    promptVersion: context.promptVersion,
    promptTemplate: pick(parts, 'promptTemplate'),
    agent: merge(parts.map((p) => p.agent)),
    retryAttempt: context.retryAttempt,
  };
  return { ...view, ...previews(view) };
}

function inferKind(model: string | undefined, messageCount: number, usage: Usage): LlmSpanKind {
  const hasTokens = usage.inputTokens !== undefined || usage.outputTokens !== undefined;
  return model && (messageCount > 0 || hasTokens) ? 'llm' : 'span';
}

function explicitCost(attrs: Bag): number | undefined {
  const cost = num(attrs, 'llm.cost.total', 'gen_ai.usage.cost', 'sieve.cost_usd');
  return cost !== undefined && cost >= 0 ? cost : undefined;
}

function withTotal(usage: Usage): Usage {
  if (usage.totalTokens !== undefined || usage.inputTokens === undefined || usage.outputTokens === undefined) {
    return usage;
  }
  return { ...usage, totalTokens: usage.inputTokens + usage.outputTokens };
}

/** The first part's value for `key`; an empty list counts as absent. */
function pick<K extends keyof ViewPart>(parts: readonly ViewPart[], key: K): ViewPart[K] {
  for (const part of parts) {
    const value = part[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) return value;
  }
  return undefined;
}

/** Field-by-field merge of objects, earlier ones winning; undefined when nothing is defined. */
function merge<T extends object>(items: readonly (T | undefined)[]): T | undefined {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (!item) continue;
    for (const [key, value] of Object.entries(item)) {
      if (value !== undefined && out[key] === undefined) out[key] = value;
    }
  }
  return Object.keys(out).length ? (out as T) : undefined;
}
