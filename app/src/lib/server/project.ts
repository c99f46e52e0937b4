import type { Cookies } from '@sveltejs/kit';

/** Remembers the current project in `sieve_project`, which the API reads on every request. */
export function rememberProject(cookies: Cookies, projectId: string, secure: boolean): void {
  cookies.set('sieve_project', projectId, {
    path: '/',
    sameSite: 'lax',
    httpOnly: true,
    secure,
    maxAge: 60 * 60 * 24 * 365,
  });
}
