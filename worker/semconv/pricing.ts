import type { Usage } from './types';

/** USD per one million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Rate for input tokens read from the provider's prompt cache. */
  cacheRead?: number;
  /** Rate for input tokens written to the cache (Anthropic charges a premium). */
  cacheWrite?: number;
}

/**
 * Approximate public list prices (standard tier, shortest context band), for an estimate when
 * the sender did not report a cost. They drift; a sender's own `llm.cost.total` always wins.
 * Keys are matched as prefixes of the model id, so dated ids such as gpt-4o-2024-08-06 find
 * gpt-4o; cheaper siblings (…-mini, …-nano, …-lite) are listed so they are not priced as their
 * larger namesake.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  o3: { input: 2, output: 8, cacheRead: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  'o3-pro': { input: 20, output: 80 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'claude-3-5-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-haiku-4': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cacheRead: 0.01 },
  'mistral-large': { input: 2, output: 6 },
  'llama-3.1-70b': { input: 0.88, output: 0.88 },
};

/**
 * The price entry for a model id, or undefined. Provider prefixes ("openai/", "models/",
 * Bedrock's "us.anthropic.") are ignored; the longest table key that is a prefix of the id and
 * ends at a word boundary wins, so "o3" does not match "o30" but does match "o3-2025-04-16".
 */
export function findPrice(model: string): ModelPrice | undefined {
  const id = normalizeModelId(model);
  let best: string | undefined;
  for (const key of Object.keys(MODEL_PRICES)) {
    if (!id.startsWith(key) || /[a-z0-9]/.test(id.charAt(key.length))) continue;
    if (!best || key.length > best.length) best = key;
  }
  return best ? MODEL_PRICES[best] : undefined;
}

/**
 * Estimated USD cost of one call, or undefined when the model is unknown or no token counts
 * were reported. Cache reads and writes are taken as part of the input count (OpenAI, GenAI
 * and OpenInference semantics); when they exceed it the sender used Anthropic's exclusive
 * counts, and input is then taken as the uncached part. Reasoning tokens are already inside
 * the output count.
 */
export function estimateCost(model: string | undefined, usage: Usage): number | undefined {
  if (!model || (usage.inputTokens === undefined && usage.outputTokens === undefined)) return undefined;
  const price = findPrice(model);
  if (!price) return undefined;
  const input = usage.inputTokens ?? 0;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const uncached = cacheRead + cacheWrite <= input ? input - cacheRead - cacheWrite : input;
  const perMillion =
    uncached * price.input +
    cacheRead * (price.cacheRead ?? price.input) +
    cacheWrite * (price.cacheWrite ?? price.input) +
    (usage.outputTokens ?? 0) * price.output;
  return perMillion / 1_000_000;
}

function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  id = id.slice(id.lastIndexOf('/') + 1);
  id = id.replace(/^(?:[a-z]{2,4}\.)?(?:anthropic|meta|mistral|amazon|cohere)\./, '').replace(/^meta-/, '');
  // Routers write claude-3.5-sonnet where Anthropic writes claude-3-5-sonnet.
  return id.startsWith('claude') ? id.replace(/(\d)\.(\d)/g, '$1-$2') : id;
}
