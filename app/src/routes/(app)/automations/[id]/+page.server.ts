import { api } from '$lib/server/api';
import { loadTargets, projectRole } from '$lib/server/automations';
import type { RuleDetailResponse } from '$lib/automations/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const [rule, targets] = await Promise.all([
    api<RuleDetailResponse>(event, `/automations/${encodeURIComponent(event.params.id)}`, { query: { days: 7 } }),
    loadTargets(event),
  ]);
  return { rule, ...targets, ...projectRole(me), now: Date.now() };
};
