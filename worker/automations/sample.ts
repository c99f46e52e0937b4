import type { Quota, Rule } from '../schemas/automations';
import type { CompiledRule } from './compile';
import type { TraceSnapshot } from './snapshot';

/**
 * Deterministic sampling and quota accounting, pure. A trace's draw depends only on (rule id, trace
 * id), so re-checking a trace after a late signal gives the same decision; the draw is a persisted
 * contract: changing the hash would flip past decisions of every rule.
 */

/**
 * A uniform number in [0, 1) fixed by (ruleId, traceId): FNV-1a 32 over the UTF-16 code units of
 * `ruleId NUL traceId` (the NUL keeps "ab"+"c" apart from "a"+"bc"), then murmur3's finalizer, since
 * FNV alone leaves similar ids (sequential or shared prefixes) with correlated high bits.
 */
export function sampleUnit(ruleId: string, traceId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ruleId.length; i++) h = Math.imul(h ^ ruleId.charCodeAt(i), 0x01000193);
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export interface Decision {
  matched: boolean;
  /** Matched and drawn under the rate that applies; quota is applied afterwards. */
  sampled: boolean;
  /** Stratified rules: index of the first stratum whose `when` held, -1 when `otherwise` applied. */
  stratum?: number;
  /** The rate the draw was compared with (absent when not matched). */
  rate?: number;
}

const NOT_MATCHED: Decision = Object.freeze({ matched: false, sampled: false });

/** Whether `rule` routes the trace, before quota. `compiled` must be `compileRule(rule)`. */
export function decide(rule: Pick<Rule, 'id' | 'sampling'>, compiled: CompiledRule, s: TraceSnapshot): Decision {
  if (!compiled(s)) return NOT_MATCHED;
  const sampling = rule.sampling;
  let rate: number;
  let stratum: number | undefined;
  if ('rate' in sampling) rate = sampling.rate;
  else {
    stratum = compiled.strata.findIndex((when) => when(s));
    rate = stratum < 0 ? sampling.otherwise : sampling.strata[stratum].rate;
  }
  // The bounds give what the draw would (it is in [0, 1)) without hashing.
  const sampled = rate >= 1 || (rate > 0 && sampleUnit(rule.id, s.traceId) < rate);
  return stratum === undefined ? { matched: true, sampled, rate } : { matched: true, sampled, stratum, rate };
}

/** A rule's routing count in one quota window. */
export interface QuotaCounter {
  /** Start of the window, epoch ms (UTC hour or day boundary). */
  windowStart: number;
  routed: number;
  overQuota: number;
}

const WINDOW_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/**
 * The fixed UTC window containing `now`. Fixed windows keep the counter one row per (rule, window);
 * the price is that up to 2 × max may route across a window boundary.
 */
export function quotaWindow(per: Quota['per'], now: number): { start: number; end: number } {
  const size = WINDOW_MS[per];
  const start = Math.floor(now / size) * size;
  return { start, end: start + size };
}

/**
 * Counts one sampled trace against the rule's quota: routed while the window has room, else counted
 * as over quota (kept, so the UI can say how many were held back). No quota: always routed, counted
 * per day. A counter from a later window (clock skew between isolates) is kept rather than reset, so
 * skew never reopens a spent quota.
 */
export function applyQuota(
  counter: QuotaCounter | null | undefined,
  quota: Quota | undefined,
  now: number,
): { outcome: 'routed' | 'overQuota'; counter: QuotaCounter } {
  const { start } = quotaWindow(quota?.per ?? 'day', now);
  const current = counter && counter.windowStart >= start ? counter : { windowStart: start, routed: 0, overQuota: 0 };
  if (quota && current.routed >= quota.max) return { outcome: 'overQuota', counter: { ...current, overQuota: current.overQuota + 1 } };
  return { outcome: 'routed', counter: { ...current, routed: current.routed + 1 } };
}
