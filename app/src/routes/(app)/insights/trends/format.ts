import type { LabelTally } from '$shared/insights-segments';

/** Display formatting of rates, intervals and p-values for the segment insights. Pure. */

type Interval = NonNullable<LabelTally['pass']['interval']>;

/** 0.1234 → "12.3 %"; null → "–". */
export function pct(x: number | null | undefined, digits = 1): string {
  return x == null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)} %`;
}

/** "8.1–17.9 %" for a Wilson interval. */
export function interval(ci: Interval | null | undefined): string {
  return ci ? `${(ci.lower * 100).toFixed(1)}–${(ci.upper * 100).toFixed(1)} %` : '–';
}

/** "< 0.001", "0.021", "–". */
export function pValue(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** Signed percentage points: "+12.5 pp". */
export function points(d: number | null | undefined): string {
  if (d == null || !Number.isFinite(d)) return '–';
  const v = d * 100;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)} pp`;
}

export function fmtNum(x: number | null | undefined, digits = 3): string {
  return x == null || !Number.isFinite(x) ? '–' : String(Number(x.toFixed(digits)));
}

/** A bucket's start as its UTC date, "2024-01-08". */
export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Chart axis label of a bucket: "Jan 8" (UTC). */
export function shortDay(ms: number): string {
  return new Date(ms).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * Series colours, distinct for colour-blind readers (Okabe & Ito, 2008) and readable on light and dark
 * backgrounds; charts also label every series, so colour is never the only cue.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7f7f7f', '#332288', '#882255'];
export const colour = (i: number): string => PALETTE[i % PALETTE.length];

/** A hex colour with alpha, for bands and fills. */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}
