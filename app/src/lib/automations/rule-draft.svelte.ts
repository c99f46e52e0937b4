import { CreateRuleBody, type Quota, type RuleAction, type RuleCondition, type Sampling } from '$shared/automations';
import { fromEditor, newGroup, toEditor, type EdGroup } from './condition';
import type { RuleResponse } from './types';

/** One "when … → rate" line of stratified sampling. */
export interface Stratum {
  key: number;
  when: EdGroup;
  /** 0..100; null while the field is empty. */
  percent: number | null;
}

/** One action row: where matching traces go. A dataset keeps the mapping it was saved with. */
export interface ActionRow {
  key: number;
  type: 'queue' | 'dataset';
  targetId: string;
  mapping?: unknown;
}

/** A rule's settings as `POST` (plus `id`) and `PATCH` take them; `quota: null` is "no quota". */
export interface RuleBody {
  name: string;
  enabled: boolean;
  condition: RuleCondition;
  sampling: Sampling;
  actions: RuleAction[];
  quota: Quota | null;
}

/** What stops the draft from being saved, per section of the editor. */
export interface Problems {
  name?: string;
  condition?: string;
  sampling?: string;
  quota?: string;
  actions?: string;
}

let nextKey = 1;
const toRate = (percent: number) => Number((percent / 100).toFixed(6));
const toPercent = (rate: number) => Number((rate * 100).toFixed(4));
const badPercent = (p: number | null) => p == null || !Number.isFinite(p) || p < 0 || p > 100;

/**
 * A rule being edited: every field of the form as reactive state, and the API body it makes (or
 * what is missing). The body is checked with the API's own schema before it is sent.
 */
export class RuleDraft {
  name = $state('');
  enabled = $state(true);
  root = $state<EdGroup>(newGroup());
  samplingMode = $state<'rate' | 'strata'>('rate');
  percent = $state<number | null>(100);
  strata = $state<Stratum[]>([]);
  otherwisePercent = $state<number | null>(100);
  quotaOn = $state(false);
  quotaMax = $state<number | null>(100);
  quotaPer = $state<'hour' | 'day'>('day');
  actions = $state<ActionRow[]>([]);

  constructor(rule?: Pick<RuleResponse, 'name' | 'enabled' | 'condition' | 'sampling' | 'quota' | 'actions'>) {
    if (!rule) return;
    this.name = rule.name;
    this.enabled = rule.enabled;
    this.root = toEditor(rule.condition);
    if ('rate' in rule.sampling) {
      this.percent = toPercent(rule.sampling.rate);
    } else {
      this.samplingMode = 'strata';
      this.strata = rule.sampling.strata.map((s) => ({ key: nextKey++, when: toEditor(s.when), percent: toPercent(s.rate) }));
      this.otherwisePercent = toPercent(rule.sampling.otherwise);
    }
    if (rule.quota) {
      this.quotaOn = true;
      this.quotaMax = rule.quota.max;
      this.quotaPer = rule.quota.per;
    }
    this.actions = rule.actions.map((a) =>
      a.type === 'queue'
        ? { key: nextKey++, type: 'queue', targetId: a.queueId }
        : { key: nextKey++, type: 'dataset', targetId: a.datasetId, ...(a.mapping !== undefined ? { mapping: a.mapping } : {}) },
    );
  }

  addStratum(): void {
    this.strata.push({ key: nextKey++, when: newGroup(), percent: 100 });
    this.samplingMode = 'strata';
  }

  addAction(type: 'queue' | 'dataset', targetId: string): void {
    this.actions.push({ key: nextKey++, type, targetId });
  }

  /** The condition, or why there is none yet. */
  readonly condition = $derived.by((): { condition: RuleCondition } | { problem: string } => fromEditor(this.root));

  readonly sampling = $derived.by((): { sampling: Sampling } | { problem: string } => {
    if (this.samplingMode === 'rate') {
      if (badPercent(this.percent)) return { problem: 'Enter a sampling rate between 0 and 100 %.' };
      return { sampling: { rate: toRate(this.percent!) } };
    }
    if (!this.strata.length) return { problem: 'Add a stratum, or sample every match at one rate.' };
    const strata: { when: RuleCondition; rate: number }[] = [];
    for (const [i, s] of this.strata.entries()) {
      const when = fromEditor(s.when);
      if ('problem' in when) return { problem: `Stratum ${i + 1}: ${when.problem}` };
      if (badPercent(s.percent)) return { problem: `Stratum ${i + 1}: enter a rate between 0 and 100 %.` };
      strata.push({ when: when.condition, rate: toRate(s.percent!) });
    }
    if (badPercent(this.otherwisePercent)) return { problem: 'Enter the rate for the other matches (0 to 100 %).' };
    return { sampling: { strata, otherwise: toRate(this.otherwisePercent!) } };
  });

  readonly quota = $derived.by((): { quota: Quota | null } | { problem: string } => {
    if (!this.quotaOn) return { quota: null };
    const max = this.quotaMax;
    if (max == null || !Number.isInteger(max) || max < 1 || max > 1_000_000) return { problem: 'Enter a quota between 1 and 1,000,000 traces.' };
    return { quota: { max, per: this.quotaPer } };
  });

  readonly ruleActions = $derived.by((): { actions: RuleAction[] } | { problem: string } => {
    if (!this.actions.length) return { problem: 'Add a queue or a dataset for the matching traces to go to.' };
    if (this.actions.some((a) => !a.targetId)) return { problem: 'Pick a queue or dataset on every line.' };
    const ids = this.actions.map((a) => `${a.type}:${a.targetId}`);
    if (new Set(ids).size !== ids.length) return { problem: 'Each queue or dataset appears once.' };
    return {
      actions: this.actions.map((a): RuleAction =>
        a.type === 'queue'
          ? { type: 'queue', queueId: a.targetId }
          : { type: 'dataset', datasetId: a.targetId, ...(a.mapping !== undefined ? { mapping: a.mapping } : {}) },
      ),
    };
  });

  readonly problems = $derived.by((): Problems => {
    const p: Problems = {};
    if (!this.name.trim()) p.name = 'Give the rule a name.';
    else if (this.name.trim().length > 128) p.name = 'Use at most 128 characters.';
    if ('problem' in this.condition) p.condition = this.condition.problem;
    if ('problem' in this.sampling) p.sampling = this.sampling.problem;
    if ('problem' in this.quota) p.quota = this.quota.problem;
    if ('problem' in this.ruleActions) p.actions = this.ruleActions.problem;
    return p;
  });

  /** The full definition for `POST` (with the id) or `PATCH`, or the first thing that is missing. */
  readonly result = $derived.by((): { body: RuleBody } | { problem: string } => {
    const first = Object.values(this.problems)[0];
    if (first) return { problem: first };
    const body: RuleBody = {
      name: this.name.trim(),
      enabled: this.enabled,
      condition: (this.condition as { condition: RuleCondition }).condition,
      sampling: (this.sampling as { sampling: Sampling }).sampling,
      actions: (this.ruleActions as { actions: RuleAction[] }).actions,
      quota: (this.quota as { quota: Quota | null }).quota,
    };
    // The API's schema has the last word (limits the form does not know about).
    const check = CreateRuleBody.safeParse({ ...body, quota: body.quota ?? undefined });
    if (!check.success) return { problem: check.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ') };
    return { body };
  });

  /** A fingerprint of everything the form holds, to tell whether it changed since it was saved. */
  readonly fingerprint = $derived(
    JSON.stringify([this.name, this.enabled, this.root, this.samplingMode, this.percent, this.strata, this.otherwisePercent, this.quotaOn, this.quotaMax, this.quotaPer, this.actions], (k, v) =>
      k === 'key' ? undefined : v,
    ),
  );
}
