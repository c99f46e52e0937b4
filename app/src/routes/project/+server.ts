import { error, redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/server/next';
import { rememberProject } from '$lib/server/project';
import type { RequestHandler } from './$types';

/** The project switcher: remembers the choice in `sieve_project`, which the API reads on every request. */
export const POST: RequestHandler = async ({ request, cookies, url }) => {
  const form = await request.formData();
  const project = String(form.get('project') ?? '');
  if (!/^[\w-]{1,128}$/.test(project)) error(400, { message: 'Not a project id.', code: 'bad_request' });
  rememberProject(cookies, project, url.protocol === 'https:');
  redirect(303, safeNext(String(form.get('next') ?? '')));
};
