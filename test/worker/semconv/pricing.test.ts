import { describe, expect, it } from 'vitest';
import { estimateCost, findPrice, MODEL_PRICES } from '../../../worker/semconv/pricing';

describe('findPrice', () => {
  it('matches dated model ids by their longest listed prefix', () => {
    expect(findPrice('gpt-4o-2024-08-06')).toBe(MODEL_PRICES['gpt-4o']);
    expect(findPrice('gpt-4o-mini-2024-07-18')).toBe(MODEL_PRICES['gpt-4o-mini']);
    expect(findPrice('gpt-4.1-nano')).toBe(MODEL_PRICES['gpt-4.1-nano']);
    expect(findPrice('claude-opus-4-1-20250805')).toBe(MODEL_PRICES['claude-opus-4']);
    expect(findPrice('claude-opus-4-5-20251101')).toBe(MODEL_PRICES['claude-opus-4-5']);
    expect(findPrice('gemini-2.5-flash-lite-preview-06-17')).toBe(MODEL_PRICES['gemini-2.5-flash-lite']);
  });

  it('only matches a prefix that ends at a word boundary', () => {
    expect(findPrice('o3-2025-04-16')).toBe(MODEL_PRICES.o3);
    expect(findPrice('o30')).toBeUndefined();
    expect(findPrice('gpt-4')).toBeUndefined();
  });

  it('ignores provider and router prefixes and case', () => {
    expect(findPrice('openai/GPT-4o')).toBe(MODEL_PRICES['gpt-4o']);
    expect(findPrice('models/gemini-2.5-pro')).toBe(MODEL_PRICES['gemini-2.5-pro']);
    expect(findPrice('us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe(MODEL_PRICES['claude-sonnet-4']);
    expect(findPrice('anthropic/claude-3.5-sonnet')).toBe(MODEL_PRICES['claude-3-5-sonnet']);
    expect(findPrice('meta-llama/Meta-Llama-3.1-70B-Instruct')).toBe(MODEL_PRICES['llama-3.1-70b']);
  });

  it('answers undefined for unknown models', () => {
    expect(findPrice('my-finetune')).toBeUndefined();
    expect(findPrice('')).toBeUndefined();
  });
});

describe('estimateCost', () => {
  it('prices input and output per million tokens', () => {
    expect(estimateCost('gpt-4o-2024-08-06', { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.0075, 10);
    expect(estimateCost('gpt-4o', { outputTokens: 1_000_000 })).toBeCloseTo(10, 10);
  });

  it('prices cache reads at the cached rate, as part of the input count', () => {
    expect(estimateCost('gpt-4o', { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 400 })).toBeCloseTo(0.007, 10);
  });

  it('prices cache reads at the input rate when the model has no cached rate', () => {
    expect(estimateCost('gemini-1.5-pro', { inputTokens: 1000, cacheReadTokens: 100 })).toBeCloseTo(0.00125, 10);
  });

  it('reads cache counts larger than the input as Anthropic-style exclusive counts', () => {
    const cost = estimateCost('claude-sonnet-4-20250514', { inputTokens: 100, cacheReadTokens: 1000, cacheWriteTokens: 200 });
    // 100 uncached at $3, 1000 cache reads at $0.30, 200 cache writes at $3.75 per million.
    expect(cost).toBeCloseTo((100 * 3 + 1000 * 0.3 + 200 * 3.75) / 1e6, 12);
  });

  it('is undefined without a known model or any token count', () => {
    expect(estimateCost(undefined, { inputTokens: 10 })).toBeUndefined();
    expect(estimateCost('unknown-model', { inputTokens: 10 })).toBeUndefined();
    expect(estimateCost('gpt-4o', { totalTokens: 10 })).toBeUndefined();
  });
});
