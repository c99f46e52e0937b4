import { listLabelSchemas } from '../data/label-schemas';
import { getDb } from '../db/client';
import type { EvaluatorSummary, EvaluatorVersionSummary, LabelFieldOption } from '../schemas/insights';
import { defaultPositive } from './calibration';
import { iso } from '../lib/time';

/** What calibration can be asked about: the project's evaluators and the label fields that can hold a verdict. */

interface Row {
  name: string;
  version: string;
  kinds: string;
  results: number;
  traces: number;
  scored: number;
  labelled: number;
  minScore: number | null;
  maxScore: number | null;
  firstSeen: number;
  lastSeen: number;
}


/** Each evaluator with its versions (oldest first), counts, score range and first/last result time. One scan of the project's evaluations. */
export async function listEvaluators(d1: D1Database, projectId: string): Promise<EvaluatorSummary[]> {
  const { results } = await d1
    .prepare(
      `SELECT name, evaluator_version AS version, group_concat(DISTINCT evaluator_kind) AS kinds, count(*) AS results,
              count(DISTINCT trace_id) AS traces, count(score) AS scored, count(label) AS labelled,
              min(score) AS minScore, max(score) AS maxScore, min(timestamp_ms) AS firstSeen, max(timestamp_ms) AS lastSeen
       FROM evaluations WHERE project_id = ? GROUP BY name, evaluator_version ORDER BY name, firstSeen, version`,
    )
    .bind(projectId)
    .all<Row>();
  const byName = new Map<string, Row[]>();
  for (const r of results) {
    const rows = byName.get(r.name);
    if (rows) rows.push(r);
    else byName.set(r.name, [r]);
  }
  return [...byName].map(([name, rows]) => {
    const versions: EvaluatorVersionSummary[] = rows.map((r) => ({
      version: r.version,
      results: r.results,
      traces: r.traces,
      scored: r.scored,
      labelled: r.labelled,
      minScore: r.minScore,
      maxScore: r.maxScore,
      firstSeen: iso(r.firstSeen),
      lastSeen: iso(r.lastSeen),
    }));
    const sum = (k: 'results' | 'scored' | 'labelled') => rows.reduce((s, r) => s + r[k], 0);
    const scores = rows.flatMap((r) => (r.minScore === null ? [] : [r.minScore, r.maxScore!]));
    return {
      name,
      kinds: [...new Set(rows.flatMap((r) => r.kinds.split(',')))].sort(),
      results: sum('results'),
      // A trace judged by two versions counts once per version here; the sum is an upper bound.
      traces: Math.max(...rows.map((r) => r.traces)),
      scored: sum('scored'),
      labelled: sum('labelled'),
      minScore: scores.length ? Math.min(...scores) : null,
      maxScore: scores.length ? Math.max(...scores) : null,
      firstSeen: iso(Math.min(...rows.map((r) => r.firstSeen))),
      lastSeen: iso(Math.max(...rows.map((r) => r.lastSeen))),
      versions,
    };
  });
}

/** Every non-text field of the project's label schemas (newest version of each), one entry per key. */
export async function listVerdictFields(d1: D1Database, projectId: string): Promise<LabelFieldOption[]> {
  const byKey = new Map<string, LabelFieldOption>();
  for (const schema of await listLabelSchemas(getDb(d1), { projectId })) {
    for (const f of schema.fields) {
      if (f.type === 'text') continue;
      const seen = byKey.get(f.key);
      const ref = { id: schema.id, name: schema.name, version: schema.version };
      if (seen) {
        seen.schemas.push(ref);
        continue;
      }
      byKey.set(f.key, {
        key: f.key,
        title: f.title,
        type: f.type,
        multiple: f.type === 'categorical' && f.multiple,
        options: f.type === 'categorical' ? f.options.map((o) => o.value) : [],
        min: f.type === 'numeric' ? f.min : null,
        max: f.type === 'numeric' ? f.max : null,
        defaultPositive: defaultPositive(f),
        schemas: [ref],
      });
    }
  }
  return [...byKey.values()];
}
