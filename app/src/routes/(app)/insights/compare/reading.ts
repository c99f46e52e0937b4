import type { CompareResponse, MetricComparison } from '$shared/insights-segments';

/** Colours of the two segments (Okabe & Ito: blue and vermillion stay apart for colour-blind readers). */
export const A_COLOUR = '#0072B2';
export const B_COLOUR = '#D55E00';

export const ALPHA = 0.05;

export type Reading = { kind: 'higher' | 'lower' | 'same' | 'thin'; text: string };

/**
 * What a metric's row says in words: A higher or lower at p < 0.05, no clear difference, or too little
 * data (a segment under the minimum, or an expected count under 5), never a bare colour.
 */
export function reading(m: MetricComparison, c: Pick<CompareResponse, 'enoughData'>): Reading {
  if (m.a.trials === 0 || m.b.trials === 0) return { kind: 'thin', text: 'nothing to compare' };
  if (!c.enoughData || m.test.notEnoughData || m.test.pValue === null) return { kind: 'thin', text: 'too little data' };
  if (m.test.pValue >= ALPHA) return { kind: 'same', text: 'no clear difference' };
  return (m.test.difference ?? 0) > 0 ? { kind: 'higher', text: 'A higher' } : { kind: 'lower', text: 'A lower' };
}

export const metricName = (m: MetricComparison): string => (m.kind === 'pass' ? 'Pass rate' : m.key);
