import type { TraceFilter } from '../schemas/filters';
import {
  MIN_SEGMENT,
  type CompareQuery,
  type CompareResponse,
  type Dimension,
  type MetricComparison,
  type ScoreComparison,
  type SegmentSide,
} from '../schemas/insights-segments';
import { contestedNote, fieldsInfo, loadLabels, sharedFilter, sqlOf, Tally, whereOf, type LabelSet } from './segments';
import { binEdges, histogram, summarize } from './stats/describe';
import { mannWhitney, MIN_PER_SAMPLE } from './stats/mann-whitney';
import { twoProportionTest, wilsonInterval } from './stats/wilson';

/**
 * Segment A against segment B (two models, two prompt versions, or any two filters): label rates with
 * Wilson intervals and two-proportion tests, and each evaluator's score distribution on both sides.
 */

interface Segment {
  label: string;
  filter: TraceFilter;
}

/** The filter that selects one value of a dimension, as the explorer's filter bar would write it. */
export function dimensionFilter(dimension: Dimension, value: string): TraceFilter {
  return { [dimension]: value };
}

const DIMENSION_LABEL: Record<Dimension, string> = { model: 'model', promptVersion: 'prompt', environment: 'env', service: 'service', tag: 'tag' };

/** `model = gpt-4o, tag = beta`, or `all traces` for an empty filter. */
export function describeFilter(f: TraceFilter): string {
  const parts = Object.entries(f).map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.length ? parts.join(', ') : 'all traces';
}

function segmentsOf(q: CompareQuery): [Segment, Segment] {
  if (q.dimension !== undefined) {
    const dim = q.dimension;
    return [q.a!, q.b!].map((v, i) => ({ label: [q.aLabel, q.bLabel][i] ?? `${DIMENSION_LABEL[dim]} = ${v}`, filter: dimensionFilter(dim, v) })) as [Segment, Segment];
  }
  return [
    { label: q.aLabel ?? describeFilter(q.aFilter!), filter: q.aFilter! },
    { label: q.bLabel ?? describeFilter(q.bFilter!), filter: q.bFilter! },
  ];
}

/**
 * Each evaluator's scores on segment A and B (the lowest score per trace, from trace_evals), as the
 * `scores` rows of the labels statement: JSON arrays per evaluator, side and first two characters of the
 * trace id (256 groups per evaluator and side keep each row far below D1's 2 MB limit). Each side reads
 * the project's trace_evals_score entries once, testing each against the list of the side's traces:
 * joined instead, SQLite (without statistics) paired each trace with a scan of those entries (27 s for a
 * 30-day, one-prompt segment at 50k traces).
 */
const sideScores = (side: 'a' | 'b') => `SELECT te.name AS name, '${side}' AS side, json_group_array(te.score) AS scores FROM trace_evals te
  WHERE te.project_id = ? AND te.score IS NOT NULL AND te.trace_id IN (SELECT trace_id FROM sides WHERE ${side} = 1)
  GROUP BY te.name, substr(te.trace_id, 1, 2)`;
const SCORES_SQL = `SELECT 'scores' AS part, json_array(name, side, json(scores)) AS r FROM (${sideScores('a')} UNION ALL ${sideScores('b')})`;

function scoresOf(rows: { part: string; r: string }[]): [Map<string, number[]>, Map<string, number[]>] {
  const sides: [Map<string, number[]>, Map<string, number[]>] = [new Map(), new Map()];
  for (const row of rows) {
    if (row.part !== 'scores') continue;
    const [name, side, scores] = JSON.parse(row.r) as [string, 'a' | 'b', number[]];
    const bySide = sides[side === 'a' ? 0 : 1];
    const list = bySide.get(name);
    if (list) for (const score of scores) list.push(score);
    else bySide.set(name, scores);
  }
  return sides;
}

export function compareScores(a: Map<string, number[]>, b: Map<string, number[]>, bins: number): ScoreComparison[] {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.map((evaluator) => {
    const [sa, sb] = [a.get(evaluator) ?? [], b.get(evaluator) ?? []];
    const edges = binEdges([...sa, ...sb], bins);
    const side = (s: number[]) => ({ ...summarize(s), counts: histogram(s, edges) });
    return { evaluator, edges, a: side(sa), b: side(sb), test: mannWhitney(sa, sb) };
  });
}

export function compareTallies(labels: LabelSet, a: Tally, b: Tally): MetricComparison[] {
  const [ta, tb] = [a.result(labels.values), b.result(labels.values)];
  const side = (successes: number, trials: number) => ({ successes, trials, interval: wilsonInterval(successes, trials) });
  const metric = (key: string, kind: 'pass' | 'value', [xa, na]: [number, number], [xb, nb]: [number, number]): MetricComparison => ({
    key,
    kind,
    a: side(xa, na),
    b: side(xb, nb),
    test: twoProportionTest({ successes: xa, trials: na }, { successes: xb, trials: nb }),
  });
  const out: MetricComparison[] = [];
  if (labels.verdictType !== null) out.push(metric('pass', 'pass', [ta.pass.passes, ta.pass.n], [tb.pass.passes, tb.pass.n]));
  for (const v of labels.values) out.push(metric(v, 'value', [ta.counts[v], ta.labeled], [tb.counts[v], tb.labeled]));
  return out;
}

/** Segments A and B of the traces the shared filters select, on the effective labels of `q.field` and `q.verdictField`. */
export async function compare(d1: D1Database, projectId: string, q: CompareQuery): Promise<CompareResponse> {
  const filter = sharedFilter(q);
  const shared = whereOf(projectId, filter);
  const segments = segmentsOf(q);
  const [segA, segB] = segments.map((s) => whereOf(projectId, s.filter));
  // One statement, one pass over the shared filters' traces marking which segment holds each (`sides`):
  // it serves the labels (the shared traces are their scope) and the scores. Evaluating the two segments
  // as filters of their own read the trace rows twice where they need them (a model filter does: 60 ms
  // each at 50k traces).
  const labels = await loadLabels(d1, projectId, {
    field: q.field,
    verdictField: q.verdictField,
    failValue: q.failValue,
    queueId: q.queueId,
    traces: shared,
    with: sqlOf(
      `sides AS MATERIALIZED (SELECT t.trace_id, coalesce((${segA.sql}), 0) AS a, coalesce((${segB.sql}), 0) AS b FROM traces t WHERE ${shared.sql})`,
      ...segA.args,
      ...segB.args,
      ...shared.args,
    ),
    sources: [sqlOf('SELECT trace_id, 1 AS sc, a AS k0, b AS k1 FROM sides')],
    keys: 2,
    groupBy: ['k0', 'k1'],
    also: sqlOf(SCORES_SQL, projectId, projectId),
  });
  const [scoresA, scoresB] = scoresOf(labels.also);
  const tallies = [new Tally(), new Tally()];
  let overlap = 0;
  for (const g of labels.groups) {
    const [inA, inB] = g.keys as [number, number];
    if (inA) tallies[0].add(g.label, g.n);
    if (inB) tallies[1].add(g.label, g.n);
    if (inA && inB) overlap += g.n;
  }
  const [a, b] = segments.map((s, i): SegmentSide => {
    const tally = tallies[i].result(labels.values);
    return { ...s, tally, enoughData: tally.labeled >= MIN_SEGMENT };
  });
  const metrics = compareTallies(labels, tallies[0], tallies[1]);
  const scores = compareScores(scoresA, scoresB, q.bins);
  return {
    ...fieldsInfo(labels),
    filter,
    queueId: q.queueId ?? null,
    dimension: q.dimension ?? null,
    a,
    b,
    enoughData: a.enoughData && b.enoughData,
    minSegment: MIN_SEGMENT,
    overlap,
    metrics,
    scores,
    notes: compareNotes(labels, a, b, overlap, metrics, scores),
  };
}

/** Why a number should not be read as a finding, naming the segment or metric and the reason. */
export function compareNotes(labels: LabelSet, a: SegmentSide, b: SegmentSide, overlap: number, metrics: MetricComparison[], scores: ScoreComparison[]): string[] {
  const out: string[] = [];
  for (const [name, s] of [['A', a], ['B', b]] as const) {
    if (s.tally.labeled === 0) out.push(`Segment ${name} (${s.label}) has no labeled traces.`);
    else if (!s.enoughData) out.push(`Segment ${name} (${s.label}) has ${s.tally.labeled} labeled traces; at least ${MIN_SEGMENT} are needed before its rates mean much.`);
  }
  const thin = metrics.filter((m) => m.test.notEnoughData && m.a.trials > 0 && m.b.trials > 0);
  if (thin.length) out.push(`Too little data to test ${thin.map(describeThin).join('; ')}: the test needs an expected count of at least 5 on each side under "no difference".`);
  if (labels.verdictType === null && a.tally.labeled + b.tally.labeled > 0) out.push(`No reviewer answered "${labels.verdictField}" on these traces, so there is no pass rate.`);
  if (overlap) out.push(`${overlap} labeled traces are in both segments; the tests assume the segments do not overlap.`);
  for (const s of scores) {
    const small = (['A', 'B'] as const).filter((side) => s[side === 'A' ? 'a' : 'b'].n < MIN_PER_SAMPLE);
    if (!s.test) out.push(`${s.evaluator}: no scores in ${s.a.n === 0 ? 'A' : 'B'}, nothing to compare.`);
    else if (small.length) out.push(`${s.evaluator}: fewer than ${MIN_PER_SAMPLE} scores in ${small.join(' and ')}, so its test is rough.`);
  }
  if (labels.skippedVersions) out.push(`${labels.skippedVersions} answers were left out: their schema version gives the field another type.`);
  if (labels.contested) out.push(contestedNote(labels.contested));
  if (metrics.length > 1 && a.tally.labeled > 0 && b.tally.labeled > 0) out.push('Each p-value tests one metric on its own; among many metrics some fall below 0.05 by chance.');
  return out;
}

/** `pass rate (1.2 expected fails in A)`: the smallest expected count under the pooled proportion. */
function describeThin(m: MetricComparison): string {
  const p = m.test.pooled ?? 0;
  const [yes, no] = m.kind === 'pass' ? ['passes', 'fails'] : ['with it', 'without it'];
  const cells: [number, string][] = [
    [m.a.trials * p, `${yes} in A`],
    [m.a.trials * (1 - p), `${no} in A`],
    [m.b.trials * p, `${yes} in B`],
    [m.b.trials * (1 - p), `${no} in B`],
  ];
  const [expected, where] = cells.sort((x, y) => x[0] - y[0])[0];
  return `${m.kind === 'pass' ? 'pass rate' : m.key} (${Math.round(expected * 10) / 10} expected ${where})`;
}
