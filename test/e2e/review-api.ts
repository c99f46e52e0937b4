import { expect } from 'vitest';

/** The API as a signed-in admin of the demo project: the session cookie, the app's Origin, the project header. */
export async function adminSession(baseUrl: string, email: string, password: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0])
    .join('; ');
  return {
    fetch(method: string, path: string, body?: unknown): Promise<Response> {
      const headers: Record<string, string> = { cookie, origin: baseUrl, 'x-sieve-project': 'demo' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
  };
}

/**
 * Adds a reviewer the way a person joins: the admin invites the email (Sieve never sets someone else's
 * password), and the invitee accepts the invite link choosing their own password.
 */
export async function addReviewer(
  baseUrl: string,
  admin: { fetch(method: string, path: string, body?: unknown): Promise<Response> },
  r: { email: string; name: string },
  password: string,
): Promise<void> {
  const res = await admin.fetch('POST', '/api/v1/projects/demo/members', { email: r.email, name: r.name, role: 'reviewer' });
  expect(res.status, await res.clone().text()).toBe(201);
  const { inviteUrl } = (await res.json()) as { inviteUrl: string };
  const accepted = await fetch(`${baseUrl}/api/v1/auth/invites/accept`, {
    method: 'POST',
    headers: { origin: baseUrl, 'content-type': 'application/json' },
    body: JSON.stringify({ token: inviteUrl.slice(inviteUrl.lastIndexOf('/') + 1), name: r.name, password }),
  });
  expect(accepted.status, await accepted.clone().text()).toBeLessThan(300);
}

/** Ingest is asynchronous: waits until every trace can be read. */
export async function waitForTraces(baseUrl: string, apiKey: string, traceIds: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of traceIds) {
    for (;;) {
      const res = await fetch(`${baseUrl}/api/v1/traces/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
      if (res.ok) break;
      if (Date.now() > deadline) throw new Error(`trace ${id} was not readable within ${timeoutMs} ms (last status ${res.status})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
