import { api, apiFetch, readApiError } from '$lib/server/api';
import { currentRole } from '$lib/me';
import type { Page } from '$lib/types';
import type { CalibrationHistoryResponse, CalibrationResponse, DisagreementsResponse, EvaluatorsResponse } from '$shared/insights';
import type { QueueResponse } from '$shared/queues';
import type { RequestEvent } from '@sveltejs/kit';
import { DISAGREEMENTS_PAGE, apiQuery, readSelection, type Selection } from './selection';
import type { PageServerLoad } from './$types';

export type Analysis =
  | { ok: true; calibration: CalibrationResponse; history: CalibrationHistoryResponse; disagreements: DisagreementsResponse }
  | { ok: false; status: number; message: string };

/** The three analyses of one selection; a refusal (a bad failure value, a filter the API cannot read) is shown in place. */
async function analyse(event: RequestEvent, s: Selection): Promise<Analysis> {
  const query = apiQuery(s, event.url.searchParams);
  const history = new URLSearchParams(query);
  history.set('bucket', s.bucket);
  const disagreements = new URLSearchParams(query);
  disagreements.set('limit', String(DISAGREEMENTS_PAGE));
  const responses = await Promise.all([
    apiFetch(event, '/insights/calibration', { query }),
    apiFetch(event, '/insights/calibration/history', { query: history }),
    apiFetch(event, '/insights/calibration/disagreements', { query: disagreements }),
  ]);
  const failed = responses.find((r) => !r.ok);
  if (failed) return { ok: false, status: failed.status, ...(await readApiError(failed)) };
  const [calibration, hist, dis] = await Promise.all(responses.map((r) => r.json()));
  return { ok: true, calibration: calibration as CalibrationResponse, history: hist as CalibrationHistoryResponse, disagreements: dis as DisagreementsResponse };
}

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const [catalog, queues] = await Promise.all([
    api<EvaluatorsResponse>(event, '/insights/evaluators'),
    api<Page<QueueResponse>>(event, '/queues', { query: { status: 'active' } }),
  ]);
  const selection = readSelection(event.url.searchParams, catalog);
  return {
    catalog,
    queues: queues.data.map((q) => ({ id: q.id, name: q.name, reviewersPerItem: q.reviewersPerItem })),
    role: currentRole(me),
    selection,
    // Streamed: the pickers show at once, the numbers follow.
    analysis: selection ? analyse(event, selection) : null,
  };
};
