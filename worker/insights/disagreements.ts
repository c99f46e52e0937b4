import type { Disagreement, DisagreementKind, DisagreementsResponse } from '../schemas/insights';
import type { Decision, Pair } from './calibration';
import { iso } from '../lib/time';

/** A trace where the evaluator's call and the humans' verdict differ. */
export interface Mismatch {
  pair: Pair;
  kind: DisagreementKind;
  /** The evaluator predicted failure. */
  predicted: boolean;
}

/**
 * The judged pairs where prediction and verdict differ, most confident mistakes first: by the score's
 * distance from the threshold, or (judged by labels) newest first. Those are the judge's blind spots
 * worth a human look before the borderline ones.
 */
export function mismatches(d: Decision): Mismatch[] {
  const out: Mismatch[] = [];
  d.judged.forEach((pair, i) => {
    const predicted = d.predicted[i];
    if (predicted !== pair.failure) out.push({ pair, predicted, kind: predicted ? 'false_positive' : 'false_negative' });
  });
  const distance = (m: Mismatch) => (d.threshold !== null && m.pair.score !== null ? Math.abs(m.pair.score - d.threshold) : 0);
  return out.sort((a, b) => distance(b) - distance(a) || b.pair.at - a.pair.at || a.pair.traceId.localeCompare(b.pair.traceId));
}

export function counts(list: readonly Mismatch[]): DisagreementsResponse['counts'] {
  const falsePositive = list.filter((m) => m.kind === 'false_positive').length;
  return { falsePositive, falseNegative: list.length - falsePositive };
}

interface EvalRow {
  traceId: string;
  version: string;
  score: number | null;
  label: string | null;
  explanation: string | null;
  at: number;
}

interface TraceRow {
  traceId: string;
  inputPreview: string | null;
  outputPreview: string | null;
  startMs: number;
}

/**
 * The rows a person needs to judge each mismatch: the evaluation behind the call (the lowest-scored
 * one of the version, whose explanation says why) and the trace's previews. One read per table.
 */
export async function describe(d1: D1Database, projectId: string, evaluator: string, evaluatorPositive: string, list: readonly Mismatch[]): Promise<Disagreement[]> {
  if (!list.length) return [];
  const ids = JSON.stringify(list.map((m) => m.pair.traceId));
  const [evals, traces] = await d1.batch<Record<string, unknown>>([
    d1
      .prepare(
        `SELECT trace_id AS traceId, evaluator_version AS version, score, label, explanation, timestamp_ms AS at FROM evaluations
         WHERE project_id = ? AND trace_id IN (SELECT value FROM json_each(?)) AND name = ?
         ORDER BY score IS NULL, score, timestamp_ms DESC`,
      )
      .bind(projectId, ids, evaluator),
    d1
      .prepare(`SELECT trace_id AS traceId, input_preview AS inputPreview, output_preview AS outputPreview, start_ms AS startMs FROM traces WHERE project_id = ? AND trace_id IN (SELECT value FROM json_each(?))`)
      .bind(projectId, ids),
  ]);
  const byTrace = new Map<string, EvalRow[]>();
  for (const e of evals.results as unknown as EvalRow[]) {
    const list = byTrace.get(e.traceId);
    if (list) list.push(e);
    else byTrace.set(e.traceId, [e]);
  }
  const traceRows = new Map((traces.results as unknown as TraceRow[]).map((t) => [t.traceId, t]));
  return list.map(({ pair, kind, predicted }) => {
    const rows = (byTrace.get(pair.traceId) ?? []).filter((e) => e.version === pair.version);
    // Judged by labels, the row whose label made the call speaks for it.
    const row = (pair.score === null ? rows.find((e) => (e.label === evaluatorPositive) === predicted) : undefined) ?? rows[0];
    const t = traceRows.get(pair.traceId);
    return {
      traceId: pair.traceId,
      kind,
      evaluatorVersion: pair.version,
      score: pair.score,
      evaluatorLabel: row?.label ?? null,
      explanation: row?.explanation ?? null,
      humanLabel: pair.human.value,
      labelSource: pair.human.source,
      reviewers: pair.human.reviewers,
      inputPreview: t?.inputPreview ?? null,
      outputPreview: t?.outputPreview ?? null,
      startTime: t ? iso(t.startMs) : null,
    };
  });
}
