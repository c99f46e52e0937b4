import type { TrendSeries } from '$shared/insights-segments';

/** A series' display name: its value, "(none)" for traces without one, "other (n values)". */
export function seriesName(s: Pick<TrendSeries, 'kind' | 'value'>, otherValues = 0): string {
  if (s.kind === 'none') return '(none)';
  if (s.kind === 'other') return `other (${otherValues} value${otherValues === 1 ? '' : 's'})`;
  return s.value ?? '';
}
