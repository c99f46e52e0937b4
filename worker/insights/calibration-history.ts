import type { CalibrationHistoryParams, CalibrationQuery, HistoryBucket, VersionHistory } from '../schemas/insights';
import { accuracyInterval, agreement, decide, type Pair } from './calibration';
import { binaryMetrics } from './stats/confusion';
import { iso } from '../lib/time';

const DAY = 86_400_000;

/** The UTC day, or the ISO week (from Monday), that `ms` falls in, as epoch ms. 1970-01-01 was a Thursday. */
export function bucketStart(ms: number, bucket: 'day' | 'week'): number {
  const day = Math.floor(ms / DAY);
  return (bucket === 'day' ? day : day - ((((day + 3) % 7) + 7) % 7)) * DAY;
}


/**
 * Calibration per evaluator version and time bucket (by the trace's start). Each version is judged the
 * way the headline is — by score at one threshold (the `threshold` asked for, else the version's own
 * best-F1 one over all its traces, kept fixed across its buckets so buckets differ only by the data),
 * or by its labels. `pairs` hold every (trace, version) result, not only each trace's newest.
 */
export function calibrationHistory(pairs: readonly Pair[], q: Pick<CalibrationQuery, 'direction' | 'threshold'>, bucket: CalibrationHistoryParams['bucket']): VersionHistory[] {
  const byVersion = new Map<string, Pair[]>();
  for (const p of pairs) {
    const list = byVersion.get(p.version);
    if (list) list.push(p);
    else byVersion.set(p.version, [p]);
  }
  const versions = [...byVersion].map(([version, vp]): VersionHistory => {
    const d = decide(vp, q);
    const actual = d.judged.map((p) => p.failure);
    const overall = agreement(d.predicted, actual);
    const metrics = binaryMetrics(overall.confusion);
    const byBucket = new Map<number, number[]>();
    d.judged.forEach((p, i) => {
      const start = bucketStart(p.startMs ?? p.at, bucket);
      const list = byBucket.get(start);
      if (list) list.push(i);
      else byBucket.set(start, [i]);
    });
    const buckets = [...byBucket]
      .sort((a, b) => a[0] - b[0])
      .map(([start, idx]): HistoryBucket => {
        const a = agreement(idx.map((i) => d.predicted[i]), idx.map((i) => actual[i]));
        const m = binaryMetrics(a.confusion);
        return { start: iso(start), n: a.n, confusion: a.confusion, accuracy: m.accuracy, accuracyCi: accuracyInterval(a.confusion, a.n), f1: m.f1, kappa: a.kappa };
      });
    const first = vp.reduce((m, p) => Math.min(m, p.at), Infinity);
    const last = vp.reduce((m, p) => Math.max(m, p.at), -Infinity);
    return {
      version,
      basis: d.basis,
      threshold: d.threshold,
      ...overall,
      accuracy: metrics.accuracy,
      f1: metrics.f1,
      firstSeen: iso(first),
      lastSeen: iso(last),
      buckets,
    };
  });
  return versions.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.version.localeCompare(b.version));
}
