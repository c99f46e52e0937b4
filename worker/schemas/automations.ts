import { z } from 'zod';
import { TraceFilter } from './filters';

/**
 * Automation rules: which traces to route (a condition tree over the explorer's filter language),
 * how many of them (sampling, quota) and where (annotation queues, datasets). Client-safe.
 */

/** Nesting of groups: the root group is depth 1. Bounded so a rule compiles and runs in bounded time. */
export const MAX_CONDITION_DEPTH = 4;
/** Leaves (filters and span-attribute conditions) in one condition tree. */
export const MAX_CONDITION_LEAVES = 50;
export const MAX_STRATA = 10;
export const MAX_ACTIONS = 10;

export const SpanAttributeCondition = z.strictObject({
  spanAttribute: z
    .strictObject({
      key: z.string().min(1).max(256),
      /** `equals`: some span's value is exactly `value`; `contains`: case-insensitive substring; `exists`: some span has the key. */
      op: z.enum(['equals', 'contains', 'exists']),
      value: z.string().min(1).max(256).optional(),
    })
    .refine((a) => (a.op === 'exists') === (a.value === undefined), {
      message: '`equals` and `contains` need a value; `exists` takes none',
      path: ['value'],
    }),
});
export type SpanAttributeCondition = z.infer<typeof SpanAttributeCondition>;

/** A filter leaf is strict: a misspelt key must fail, not silently widen the rule to every trace. */
const FilterLeaf = z.strictObject(TraceFilter.shape);
type FilterLeafInput = z.input<typeof FilterLeaf>;

/** An AND (`all`) or OR (`any`) group of conditions; a leaf `TraceFilter` is itself the AND of its fields. */
export type RuleCondition = { all: Condition[] } | { any: Condition[] };
export type Condition = RuleCondition | SpanAttributeCondition | TraceFilter;
type RuleConditionInput = { all: ConditionInput[] } | { any: ConditionInput[] };
type ConditionInput = RuleConditionInput | SpanAttributeCondition | FilterLeafInput;

const children = () => z.array(ConditionNode).min(1, 'a group needs at least one condition').max(MAX_CONDITION_LEAVES);
const Group: z.ZodType<RuleCondition, RuleConditionInput> = z.lazy(() =>
  z.union([z.strictObject({ all: children() }), z.strictObject({ any: children() })]),
);
const ConditionNode: z.ZodType<Condition, ConditionInput> = z.lazy(() => z.union([Group, SpanAttributeCondition, FilterLeaf]));

/** Depth of the deepest group and number of leaves, for the limits above. */
export function conditionSize(c: Condition, depth = 1): { depth: number; leaves: number } {
  const list = 'all' in c ? c.all : 'any' in c ? c.any : null;
  if (!list) return { depth: depth - 1, leaves: 1 };
  let out = { depth, leaves: 0 };
  for (const child of list) {
    const s = conditionSize(child as Condition, depth + 1);
    out = { depth: Math.max(out.depth, s.depth), leaves: out.leaves + s.leaves };
  }
  return out;
}

/** The root of a rule's condition: always a group, at most MAX_CONDITION_DEPTH deep with MAX_CONDITION_LEAVES leaves. */
export const RuleCondition = Group.superRefine((c, ctx) => {
  const { depth, leaves } = conditionSize(c);
  if (depth > MAX_CONDITION_DEPTH) ctx.addIssue({ code: 'custom', message: `groups nest at most ${MAX_CONDITION_DEPTH} deep (this one: ${depth})` });
  if (leaves > MAX_CONDITION_LEAVES) ctx.addIssue({ code: 'custom', message: `a condition has at most ${MAX_CONDITION_LEAVES} leaves (this one: ${leaves})` });
});

/** Fraction of matching traces to route, 0..1. */
export const SampleRate = z.number().min(0).max(1);

/**
 * `{ rate }`: that fraction of all matches. `{ strata, otherwise }`: the first stratum whose `when`
 * holds sets the rate, else `otherwise` — e.g. 100 % of thumbs-down, 20 % of the rest.
 */
export const Sampling = z.union([
  z.strictObject({ rate: SampleRate }),
  z.strictObject({
    strata: z.array(z.strictObject({ when: RuleCondition, rate: SampleRate })).min(1).max(MAX_STRATA),
    otherwise: SampleRate,
  }),
]);
export type Sampling = z.infer<typeof Sampling>;

/** At most `max` traces routed per UTC hour or day; the rest are counted as over quota. */
export const Quota = z.strictObject({ max: z.number().int().min(1).max(1_000_000), per: z.enum(['hour', 'day']) });
export type Quota = z.infer<typeof Quota>;

const id = z.string().min(1).max(64);
export const RuleAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('queue'), queueId: id }),
  /** `mapping` says which trace fields become the record's input, expected output and metadata. */
  z.strictObject({ type: z.literal('dataset'), datasetId: id, mapping: z.unknown().optional() }),
]);
export type RuleAction = z.infer<typeof RuleAction>;

const actionTarget = (a: RuleAction) => (a.type === 'queue' ? `queue:${a.queueId}` : `dataset:${a.datasetId}`);
export const RuleActions = z
  .array(RuleAction)
  .min(1, 'a rule needs at least one action')
  .max(MAX_ACTIONS)
  .refine((list) => new Set(list.map(actionTarget)).size === list.length, { message: 'each queue or dataset appears once' });

const ruleFields = {
  name: z.string().trim().min(1, 'a rule needs a name').max(128),
  enabled: z.boolean(),
  condition: RuleCondition,
  sampling: Sampling,
  actions: RuleActions,
  quota: Quota.optional(),
};

/** A stored rule. `version` grows on every edit; routed items record the version that routed them. */
export const Rule = z.object({ id, version: z.number().int().min(1), ...ruleFields });
export type Rule = z.infer<typeof Rule>;

export const CreateRuleBody = z.object({
  ...ruleFields,
  enabled: ruleFields.enabled.default(true),
  sampling: ruleFields.sampling.default({ rate: 1 }),
});
export type CreateRuleBody = z.infer<typeof CreateRuleBody>;

/** Any subset of the settings; `quota: null` removes the quota. */
export const UpdateRuleBody = z
  .object({ ...ruleFields, quota: Quota.nullable() })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'change at least one setting' });
export type UpdateRuleBody = z.infer<typeof UpdateRuleBody>;

/** `POST /automations/preview`: a dry run of a rule over the traces of the last `hours`, newest first. */
export const PreviewBody = z.object({
  /** The id the rule will be saved with (sampling draws depend on it); a fresh one when absent. */
  id: z.string().min(1).max(64).optional(),
  condition: RuleCondition,
  sampling: Sampling.default({ rate: 1 }),
  quota: Quota.optional(),
  hours: z.number().min(1).max(24 * 90).default(24),
  /** The `cursor` of a `partial` answer: continues that preview where it stopped (same window, same id). */
  cursor: z.string().min(1).max(1024).optional(),
});
export type PreviewBody = z.infer<typeof PreviewBody>;
