import { api } from '$lib/server/api';
import { loadTargets, projectRole } from '$lib/server/automations';
import type { RuleDetailResponse, RuleResponse, StatBucket } from '$lib/automations/types';
import type { Page } from '$lib/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const [rules, targets] = await Promise.all([api<Page<RuleResponse>>(event, '/automations'), loadTargets(event)]);
  // Streamed: the list shows at once, each rule's hourly sparkline follows (null when it failed).
  const hourly: Promise<Record<string, StatBucket[] | null>> = Promise.all(
    rules.data.map((r) =>
      api<RuleDetailResponse>(event, `/automations/${encodeURIComponent(r.id)}`, { query: { days: 1 } })
        .then((d) => [r.id, d.stats] as const)
        .catch(() => [r.id, null] as const),
    ),
  ).then(Object.fromEntries);
  return { rules: rules.data, ...targets, ...projectRole(me), now: Date.now(), hourly };
};
