import type { FieldAgreement } from '$shared/insights-agreement';

/** Formatting for the agreement page. Pure. */

export const fmtInt = (n: number) => n.toLocaleString('en-US');

/** A coefficient to two places (a real minus sign); an en dash when undefined. */
export const fmtCoef = (v: number | null | undefined) => (v == null ? '–' : v.toFixed(2).replace('-', '−'));

export const fmtPct = (v: number | null | undefined) => (v == null ? '–' : `${(v * 100).toFixed(0)}%`);

/** `[0.41, 0.86]` → "0.41–0.86"; for shares, "41–86%". */
export const fmtRange = (r: [number, number] | null | undefined, pct = false) =>
  r == null ? '' : pct ? `${(r[0] * 100).toFixed(0)}–${(r[1] * 100).toFixed(0)}%` : `${fmtCoef(r[0])} to ${fmtCoef(r[1])}`;

/** The agreement band of κ or α after Landis & Koch, Biometrics 33(1), 1977: a reading aid, not a verdict. */
export function band(k: number | null | undefined): { label: string; tone: 'good' | 'ok' | 'poor' | 'none' } {
  if (k == null) return { label: 'undefined', tone: 'none' };
  if (k < 0) return { label: 'worse than chance', tone: 'poor' };
  if (k <= 0.2) return { label: 'slight', tone: 'poor' };
  if (k <= 0.4) return { label: 'fair', tone: 'poor' };
  if (k <= 0.6) return { label: 'moderate', tone: 'ok' };
  if (k <= 0.8) return { label: 'substantial', tone: 'good' };
  return { label: 'almost perfect', tone: 'good' };
}

/** A label value for people: lists joined, booleans as yes/no, nothing as an en dash. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Values compare by their JSON text, sets in sorted order. */
export const sameValue = (a: unknown, b: unknown) => JSON.stringify(Array.isArray(a) ? [...a].sort() : a) === JSON.stringify(Array.isArray(b) ? [...b].sort() : b);

const TYPE: Record<FieldAgreement['type'], string> = { pass_fail: 'pass/fail', boolean: 'yes/no', categorical: 'category', numeric: 'number' };
export const typeLabel = (f: Pick<FieldAgreement, 'type' | 'multiple'>) => (f.multiple ? 'categories (any number)' : TYPE[f.type]);

/**
 * The label reviewers' answers give without an adjudication, as the API computes it: the plurality
 * value (undefined on a tie), or for multi-select the options more than half chose.
 */
export function majorityOf(values: unknown[], multiple: boolean): unknown {
  if (multiple) {
    const counts = new Map<string, number>();
    for (const v of values) for (const o of new Set(Array.isArray(v) ? v.map(String) : [])) counts.set(o, (counts.get(o) ?? 0) + 1);
    return [...counts].filter(([, n]) => n * 2 > values.length).map(([o]) => o).sort();
  }
  const counts = new Map<string, number>();
  for (const v of values) counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (!ranked.length || (ranked.length > 1 && ranked[0][1] === ranked[1][1])) return undefined;
  return JSON.parse(ranked[0][0]);
}
