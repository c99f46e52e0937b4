import { error, redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/server/next';
import type { RequestHandler } from './$types';

/** The project switcher: remembers the choice in `sieve_project`, which the API reads on every request. */
export const POST: RequestHandler = async ({ request, cookies, url }) => {
  const form = await request.formData();
  const project = String(form.get('project') ?? '');
  if (!/^[\w-]{1,128}$/.test(project)) error(400, { message: 'Not a project id.', code: 'bad_request' });
  cookies.set('sieve_project', project, {
    path: '/',
    sameSite: 'lax',
    httpOnly: true,
    secure: url.protocol === 'https:',
    maxAge: 60 * 60 * 24 * 365,
  });
  redirect(303, safeNext(String(form.get('next') ?? '')));
};
