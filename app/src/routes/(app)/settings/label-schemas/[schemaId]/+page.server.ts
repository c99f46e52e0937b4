import { api } from '$lib/server/api';
import type { LabelSchemaResponse } from '$shared/label-schemas';
import { projectMembers } from '$lib/server/members';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { project, isAdmin } = await event.parent();
  const [schema, members] = await Promise.all([
    api<LabelSchemaResponse>(event, `/label-schemas/${encodeURIComponent(event.params.schemaId)}`),
    // Names for "created by"; only admins may list members.
    isAdmin ? projectMembers(event, project.id) : null,
  ]);
  return { schema, members, now: Date.now() };
};
