import type { EvaluatorsResponse } from '$shared/insights';
import type { Dimension, DimensionsResponse } from '$shared/insights-segments';
import { defaultField, defaultVerdict, DIMENSIONS, filterParams } from '../params';

/**
 * The compare page's choices, from the URL in the API's parameter names (`GET /api/v1/insights/compare`).
 * Without a choice it picks the dimension with at least two reviewed values (prompt versions first) and
 * its two most reviewed values, so the page opens on a comparison. Pure.
 */

export interface CompareSelection {
  mode: 'dimension' | 'filters';
  dimension: Dimension;
  a: string;
  b: string;
  /** JSON TraceFilters of the general form. */
  aFilter: string;
  bFilter: string;
  field: string;
  verdictField: string;
  failValue: string;
  queueId: string;
}

const PREFERRED: Dimension[] = ['promptVersion', 'model', 'environment', 'service', 'tag'];

export function readCompareSelection(q: URLSearchParams, catalog: EvaluatorsResponse, dims: DimensionsResponse | null): CompareSelection {
  const common = {
    field: q.get('field') || defaultField(catalog.fields),
    verdictField: q.get('verdictField') || defaultVerdict(catalog.fields),
    failValue: q.get('failValue') ?? '',
    queueId: q.get('queueId') ?? '',
  };
  const aFilter = q.get('aFilter') ?? '';
  const bFilter = q.get('bFilter') ?? '';
  const asked = q.get('dimension') ?? '';
  const reviewed = (d: Dimension) => (dims?.dimensions[d].values ?? []).filter((v) => v.labeled > 0);
  if (q.get('mode') === 'filters' || aFilter || bFilter) {
    return { mode: 'filters', dimension: 'model', a: '', b: '', aFilter: aFilter || '{}', bFilter: bFilter || '{}', ...common };
  }
  const dimension = (DIMENSIONS as string[]).includes(asked) ? (asked as Dimension) : (PREFERRED.find((d) => reviewed(d).length >= 2) ?? 'model');
  const values = reviewed(dimension).map((v) => v.value);
  const a = q.get('a') || values[0] || '';
  const b = q.get('b') || values.find((v) => v !== a) || '';
  return { mode: 'dimension', dimension, a, b, aFilter: '', bFilter: '', ...common };
}

/** Whether the selection names two segments. */
export function complete(s: CompareSelection): boolean {
  return s.mode === 'filters' ? true : !!(s.a && s.b);
}

/** The API query of a selection, with the explorer filters of the URL. */
export function compareQuery(s: CompareSelection, q: URLSearchParams): URLSearchParams {
  const out = filterParams(q);
  if (s.mode === 'filters') (out.set('aFilter', s.aFilter), out.set('bFilter', s.bFilter));
  else (out.set('dimension', s.dimension), out.set('a', s.a), out.set('b', s.b));
  for (const k of ['aLabel', 'bLabel'] as const) {
    const v = q.get(k);
    if (v) out.set(k, v);
  }
  out.set('field', s.field);
  out.set('verdictField', s.verdictField);
  if (s.failValue) out.set('failValue', s.failValue);
  if (s.queueId) out.set('queueId', s.queueId);
  return out;
}
