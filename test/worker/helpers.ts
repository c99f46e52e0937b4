import { env, SELF } from 'cloudflare:test';
import { createKey } from '../../worker/data/api-keys';
import { projectEnv, projectShard, shardBindings, type ProjectEnv } from '../../worker/data/shards';
import { getDb } from '../../worker/db/client';
import { memberships, projects, users } from '../../worker/db/schema';
import { hashPassword } from '../../worker/lib/crypto';
import type { Role, Scope } from '../../worker/schemas/common';

export const ORIGIN = 'http://sieve.test';

/** The data shards of the test Worker (wrangler.toml configures two). */
export const SHARDS = shardBindings(env);
let nextShard = 0;

/**
 * A fresh project with an API key per scope set asked for. Projects alternate between the data shards
 * unless `shard` names one ('DB' for a legacy project whose data is in the control database), so a
 * query that reaches the wrong database fails some test.
 */
export async function makeProject(scopes: Scope[] = ['ingest', 'read'], opts: { shard?: string } = {}): Promise<{ projectId: string; key: string; shard: string }> {
  const db = getDb(env.DB);
  const projectId = `p_${crypto.randomUUID().slice(0, 8)}`;
  const shard = opts.shard ?? SHARDS[nextShard++ % SHARDS.length];
  await db.insert(projects).values({ id: projectId, name: `Project ${projectId}`, shard });
  const { key } = await createKey(db, { projectId, name: 'test', scopes });
  return { projectId, key, shard };
}

/** The D1 database holding a project's data (its shard), for tests that read or seed rows directly. */
export function shardOf(projectId: string): Promise<D1Database> {
  return projectShard(env, projectId);
}

/** The bindings a project-scoped service takes, for tests that call services directly. */
export async function projectEnvOf(projectId: string): Promise<ProjectEnv> {
  return projectEnv(env, projectId);
}

/** A user with a role in the given project; the password hash uses few iterations to keep tests fast. */
export async function makeUser(projectId: string, role: Role, password = 'correct horse battery'): Promise<{ email: string; password: string; userId: string }> {
  const db = getDb(env.DB);
  const userId = crypto.randomUUID();
  const email = `${userId.slice(0, 8)}@example.test`;
  await db.insert(users).values({ id: userId, email, name: 'Test User', passwordHash: await hashPassword(password, 1000) });
  await db.insert(memberships).values({ projectId, userId, role });
  return { email, password, userId };
}

/** Signs in through the API and returns the session cookie. */
export async function login(email: string, password: string): Promise<string> {
  const res = await SELF.fetch(`${ORIGIN}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0];
}

export function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

type Attr = { key: string; value: Record<string, unknown> };
export const sattr = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
export const iattr = (key: string, v: number): Attr => ({ key, value: { intValue: String(v) } });
export const dattr = (key: string, v: number): Attr => ({ key, value: { doubleValue: v } });

export interface JsonSpanInput {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name?: string;
  startMs?: number;
  durationMs?: number;
  attributes?: Attr[];
  status?: { code: number; message?: string };
  events?: { name: string; timeMs?: number; attributes?: Attr[] }[];
}

/** An OTLP/JSON request body with the given spans under one resource. */
export function otlpJson(spans: JsonSpanInput[], resource: Attr[] = [sattr('service.name', 'test-svc')]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => {
              const start = BigInt(s.startMs ?? Date.now()) * 1_000_000n;
              const end = start + BigInt(s.durationMs ?? 100) * 1_000_000n;
              return {
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId ?? '',
                name: s.name ?? 'span',
                kind: 1,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(end),
                attributes: s.attributes ?? [],
                events: (s.events ?? []).map((e) => ({
                  name: e.name,
                  timeUnixNano: String(e.timeMs === undefined ? end : BigInt(e.timeMs) * 1_000_000n),
                  attributes: e.attributes ?? [],
                })),
                status: s.status ?? { code: 0 },
              };
            }),
          },
        ],
      },
    ],
  });
}

/** A chat LLM span in current GenAI conventions. */
export function llmSpan(traceId: string, parentSpanId: string | undefined, opts: { model?: string; input?: string; output?: string; inTok?: number; outTok?: number; startMs?: number } = {}): JsonSpanInput {
  return {
    traceId,
    spanId: hex(8),
    parentSpanId,
    name: `chat ${opts.model ?? 'gpt-4o-mini'}`,
    startMs: opts.startMs,
    attributes: [
      sattr('gen_ai.operation.name', 'chat'),
      sattr('gen_ai.provider.name', 'openai'),
      sattr('gen_ai.request.model', opts.model ?? 'gpt-4o-mini'),
      iattr('gen_ai.usage.input_tokens', opts.inTok ?? 100),
      iattr('gen_ai.usage.output_tokens', opts.outTok ?? 20),
      sattr('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: opts.input ?? 'What is the refund policy?' }] }])),
      sattr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: opts.output ?? 'Refunds within 30 days.' }], finish_reason: 'stop' }])),
    ],
  };
}

export function postOtlp(body: BodyInit, key: string | null, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body,
  });
}

export async function getJson<T = any>(path: string, auth: { key?: string; cookie?: string; project?: string }): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.project) headers['x-sieve-project'] = auth.project;
  const res = await SELF.fetch(`${ORIGIN}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

export interface Auth {
  key?: string;
  cookie?: string;
  project?: string;
}

/** Any API call as a browser on the app's origin (session) or as a client with a key would make it. */
export async function call<T = any>(
  method: string,
  path: string,
  auth: Auth = {},
  body?: unknown,
): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const headers: Record<string, string> = { origin: ORIGIN };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.project) headers['x-sieve-project'] = auth.project;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** A member of the project with the role, signed in. */
export async function signIn(projectId: string, role: Role): Promise<{ cookie: string; userId: string; email: string; password: string }> {
  const u = await makeUser(projectId, role);
  return { ...u, cookie: await login(u.email, u.password) };
}

/** The session cookie a response set, as a `cookie` request header value. */
export function cookieOf(res: { headers: Headers }): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}
