import { loadTargets, projectRole } from '$lib/server/automations';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  // Made here so the server render and the browser agree; previews use it, and the rule is saved under it.
  return { ...(await loadTargets(event)), ...projectRole(me), newId: crypto.randomUUID() };
};
