import { filterParams } from '../params';
import type { EvaluatorsResponse } from '$shared/insights';

/**
 * The page's state lives in the URL, in the API's own parameter names (`GET /api/v1/insights/calibration`),
 * so a link reproduces the view and the explorer's filters (`model=…`, `eval=…`) pass straight through.
 * Pure functions.
 */

export interface Selection {
  evaluator: string;
  evaluatorVersion: string;
  field: string;
  queueId: string;
  positive: string;
  evaluatorPositive: string;
  direction: 'below' | 'atOrAbove';
  threshold: string;
  bucket: 'week' | 'day';
}

/** Disagreements per page. */
export const DISAGREEMENTS_PAGE = 25;

const OWN_KEYS = ['evaluator', 'evaluatorVersion', 'field', 'queueId', 'positive', 'evaluatorPositive', 'direction', 'threshold', 'bucket'] as const;

/**
 * What to show: the URL's choices, or the first evaluator and the `verdict` field (else the first field)
 * when it names none. Null when the project has no evaluator results or no label field yet.
 */
export function readSelection(q: URLSearchParams, catalog: EvaluatorsResponse): Selection | null {
  const evaluator = q.get('evaluator') || catalog.evaluators[0]?.name;
  const field = q.get('field') || (catalog.fields.find((f) => f.key === 'verdict') ?? catalog.fields[0])?.key;
  if (!evaluator || !field) return null;
  return {
    evaluator,
    evaluatorVersion: q.get('evaluatorVersion') ?? '',
    field,
    queueId: q.get('queueId') ?? '',
    positive: q.get('positive') ?? '',
    evaluatorPositive: q.get('evaluatorPositive') ?? '',
    direction: q.get('direction') === 'atOrAbove' ? 'atOrAbove' : 'below',
    threshold: q.get('threshold') ?? '',
    bucket: q.get('bucket') === 'day' ? 'day' : 'week',
  };
}

/** The calibration query for the API: the selection (empty choices left out) plus the filters. */
export function apiQuery(s: Selection, q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of OWN_KEYS) if (s[key] !== '' && key !== 'bucket') out.set(key, s[key]);
  for (const [k, v] of filterParams(q)) out.append(k, v);
  return out;
}

/**
 * The same query as a JSON body for the closed-loop POSTs: there `queueId` names the target, so the
 * queue the labels come from travels as `labelQueueId`; `eval` stays a list.
 */
export function apiBody(s: Selection, q: URLSearchParams): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const [k, v] of apiQuery(s, q)) {
    const key = k === 'queueId' ? 'labelQueueId' : k;
    if (key === 'eval') body.eval = [...((body.eval as string[] | undefined) ?? []), v];
    else body[key] = v;
  }
  return body;
}
