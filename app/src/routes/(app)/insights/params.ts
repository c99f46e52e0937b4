import { FILTER_KEYS } from '$lib/filters/chips';
import type { Suggestions } from '$lib/filters/filter-kinds';
import type { LabelFieldOption } from '$shared/insights';
import type { Dimension, DimensionsResponse } from '$shared/insights-segments';

/**
 * URL state shared by the insights pages. Each keeps its choices in the query string in the API's own
 * parameter names, plus the explorer's filters as they are, so a link reproduces the view and the server
 * passes it on. Pure functions.
 */

export const DIMENSION_LABEL: Record<Dimension, string> = {
  model: 'Model',
  promptVersion: 'Prompt version',
  environment: 'Environment',
  service: 'Service',
  tag: 'Tag',
};
export const DIMENSIONS = Object.keys(DIMENSION_LABEL) as Dimension[];

/** The explorer filters of the URL (`model=…`, `eval=…`, `from=…`), as they are. */
export function filterParams(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = q.get(key)?.trim();
    if (v) out.set(key, v);
  }
  for (const e of q.getAll('eval')) if (e) out.append('eval', e);
  return out;
}

/** `?…` with `changes` applied: a value sets the key, `null` or `''` removes it. */
export function hrefWith(q: URLSearchParams, changes: Record<string, string | null | undefined>): string {
  const next = new URLSearchParams(q);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  const s = next.toString();
  return s ? `?${s}` : '?';
}

/** The explorer with the same filters. */
export function explorerHref(q: URLSearchParams): string {
  const f = filterParams(q);
  return f.size ? `/traces?${f}` : '/traces';
}

/** The page's URL without its explorer filters. */
export function withoutFilters(q: URLSearchParams): string {
  const filters = new Set<string>([...FILTER_KEYS, 'eval']);
  return `?${new URLSearchParams([...q].filter(([k]) => !filters.has(k)))}`;
}

/** Label fields whose values can be counted (the failure modes), and those that give a verdict. */
export function countableFields(fields: LabelFieldOption[]): LabelFieldOption[] {
  return fields.filter((f) => f.type === 'categorical' || f.type === 'pass_fail' || f.type === 'boolean');
}
export function verdictFields(fields: LabelFieldOption[]): LabelFieldOption[] {
  return fields.filter((f) => f.type === 'pass_fail' || f.type === 'boolean' || (f.type === 'categorical' && !f.multiple));
}

/** The default counted field: `failure_modes`, else the first categorical field, else the first countable one. */
export function defaultField(fields: LabelFieldOption[]): string {
  const countable = countableFields(fields);
  return (countable.find((f) => f.key === 'failure_modes') ?? countable.find((f) => f.type === 'categorical') ?? countable[0])?.key ?? 'failure_modes';
}
export function defaultVerdict(fields: LabelFieldOption[]): string {
  const v = verdictFields(fields);
  return (v.find((f) => f.key === 'verdict') ?? v.find((f) => f.type === 'pass_fail') ?? v[0])?.key ?? 'verdict';
}

/** Values the filter editor offers: the project's own, from the dimensions listing. */
export function suggestionsOf(d: DimensionsResponse | null, evaluators: string[]): Suggestions {
  const vals = (dim: Dimension) => (d?.dimensions[dim].values ?? []).map((v) => v.value);
  return {
    evals: evaluators,
    models: vals('model'),
    services: vals('service'),
    environments: vals('environment'),
    tags: vals('tag'),
    prompts: vals('promptVersion'),
  };
}
