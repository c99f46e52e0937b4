import { describe, expect, it } from 'vitest';
import { CreateRuleBody, MAX_CONDITION_LEAVES, RuleCondition, UpdateRuleBody } from '../../../worker/schemas/automations';

const nest = (depth: number): unknown => (depth === 1 ? { all: [{ hasError: true }] } : { any: [nest(depth - 1)] });
const body = (o: Record<string, unknown> = {}) => ({
  name: 'Low faithfulness',
  condition: { all: [{ evals: [{ name: 'faithfulness', maxScore: 0.5 }] }] },
  actions: [{ type: 'queue', queueId: 'q1' }],
  ...o,
});

describe('RuleCondition', () => {
  it('takes nested any/all groups of filters and span-attribute conditions', () => {
    const c = { any: [{ feedback: { thumbs: 'down' } }, { all: [{ model: 'gpt-4o' }, { spanAttribute: { key: 'tool.name', op: 'exists' } }] }] };
    expect(RuleCondition.parse(c)).toEqual(c);
  });

  it('turns ISO times of a filter into epoch ms, as the explorer does', () => {
    expect(RuleCondition.parse({ all: [{ from: '2025-01-01T00:00:00Z' }] })).toEqual({ all: [{ from: Date.UTC(2025, 0, 1) }] });
  });

  it('rejects a misspelt filter field instead of matching every trace', () => {
    expect(RuleCondition.safeParse({ all: [{ servce: 'api' }] }).success).toBe(false);
  });

  it('rejects a bare leaf, empty groups and a group with both all and any', () => {
    expect(RuleCondition.safeParse({ hasError: true }).success).toBe(false);
    expect(RuleCondition.safeParse({ all: [] }).success).toBe(false);
    expect(RuleCondition.safeParse({ all: [{}], any: [{}] }).success).toBe(false);
  });

  it('limits depth to 4 and leaves to 50', () => {
    expect(RuleCondition.safeParse(nest(4)).success).toBe(true);
    expect(RuleCondition.safeParse(nest(5)).error?.issues[0].message).toMatch(/at most 4 deep/);
    const leaves = (n: number) => ({ any: [{ all: Array.from({ length: 25 }, () => ({ tag: 'a' })) }, { all: Array.from({ length: n - 25 }, () => ({ tag: 'b' })) }] });
    expect(RuleCondition.safeParse(leaves(MAX_CONDITION_LEAVES)).success).toBe(true);
    expect(RuleCondition.safeParse(leaves(MAX_CONDITION_LEAVES + 1)).error?.issues[0].message).toMatch(/at most 50 leaves/);
  });

  it('needs a value for equals/contains and none for exists', () => {
    expect(RuleCondition.safeParse({ all: [{ spanAttribute: { key: 'k', op: 'equals' } }] }).success).toBe(false);
    expect(RuleCondition.safeParse({ all: [{ spanAttribute: { key: 'k', op: 'exists', value: 'v' } }] }).success).toBe(false);
  });

  it('keeps the evaluator rule of the filter language: missing excludes bounds', () => {
    expect(RuleCondition.safeParse({ all: [{ evals: [{ name: 'f', missing: true, maxScore: 0.5 }] }] }).success).toBe(false);
  });
});

describe('CreateRuleBody', () => {
  it('defaults to enabled, every match sampled, no quota', () => {
    const r = CreateRuleBody.parse(body());
    expect(r).toMatchObject({ enabled: true, sampling: { rate: 1 } });
    expect(r.quota).toBeUndefined();
  });

  it('takes strata, a quota and both kinds of action', () => {
    const r = CreateRuleBody.parse(body({
      sampling: { strata: [{ when: { all: [{ feedback: { thumbs: 'down' } }] }, rate: 1 }], otherwise: 0.2 },
      quota: { max: 100, per: 'day' },
      actions: [{ type: 'queue', queueId: 'q1' }, { type: 'dataset', datasetId: 'd1', mapping: { input: 'inputPreview' } }],
    }));
    expect(r.actions).toHaveLength(2);
  });

  it('rejects rates outside 0..1, no actions, a repeated target and a zero quota', () => {
    expect(CreateRuleBody.safeParse(body({ sampling: { rate: 1.5 } })).success).toBe(false);
    expect(CreateRuleBody.safeParse(body({ actions: [] })).success).toBe(false);
    expect(CreateRuleBody.safeParse(body({ actions: [{ type: 'queue', queueId: 'q1' }, { type: 'queue', queueId: 'q1' }] })).success).toBe(false);
    expect(CreateRuleBody.safeParse(body({ quota: { max: 0, per: 'hour' } })).success).toBe(false);
  });
});

describe('UpdateRuleBody', () => {
  it('takes any subset, null removes the quota, nothing is an error', () => {
    expect(UpdateRuleBody.parse({ enabled: false })).toEqual({ enabled: false });
    expect(UpdateRuleBody.parse({ quota: null })).toEqual({ quota: null });
    expect(UpdateRuleBody.safeParse({}).success).toBe(false);
  });
});
