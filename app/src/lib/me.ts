import type { MeResponse, Role } from '$lib/types';

/** The signed-in person's role in the project the page is showing, or null without one. */
export function currentRole(me: MeResponse): Role | null {
  return me.projects.find((p) => p.id === me.currentProjectId)?.role ?? null;
}
