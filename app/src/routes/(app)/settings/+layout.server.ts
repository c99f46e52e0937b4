import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

/** Settings are for the current project; someone with no project yet starts by creating one. */
export const load: LayoutServerLoad = async ({ parent }) => {
  const { me } = await parent();
  const project = me.projects.find((p) => p.id === me.currentProjectId);
  if (!project) redirect(303, '/projects/new');
  return { project, isAdmin: project.role === 'admin' };
};
