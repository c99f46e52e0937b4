/** Number formatting of the calibration page. Pure. */

export const fmtInt = (n: number) => n.toLocaleString('en-US');

/** A rate or coefficient to `digits` places; an en dash when undefined. */
export const fmtNum = (v: number | null | undefined, digits = 2) => (v == null ? '–' : v.toFixed(digits));

export const fmtPct = (v: number | null | undefined) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);

/** The agreement band of κ after Landis & Koch, Biometrics 33(1), 1977 — a reading aid, not a verdict. */
export function kappaBand(k: number | null): string {
  if (k === null) return 'undefined';
  if (k < 0) return 'worse than chance';
  if (k <= 0.2) return 'slight';
  if (k <= 0.4) return 'fair';
  if (k <= 0.6) return 'moderate';
  if (k <= 0.8) return 'substantial';
  return 'almost perfect';
}

/** `2026-03-02` for a bucket start. */
export const day = (iso: string) => iso.slice(0, 10);

/** A version's name for people: results sent without one are "unversioned". */
export const versionName = (v: string) => v || 'unversioned';
