import { redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { MeResponse } from '$lib/types';
import type { LayoutServerLoad } from './$types';

/** Pages that make sense before the person belongs to any project. */
const WITHOUT_PROJECT = ['/projects/new', '/account'];

export const load: LayoutServerLoad = async (event) => {
  const me = await api<MeResponse>(event, '/me');
  // Untracked: reading the path must not re-run this load (and /me) on every navigation.
  const path = event.untrack(() => event.url.pathname);
  if (me.projects.length === 0 && !WITHOUT_PROJECT.includes(path)) redirect(303, '/projects/new');
  return { me };
};
