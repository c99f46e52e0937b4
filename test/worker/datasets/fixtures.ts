import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { call, hex, llmSpan, makeProject, ORIGIN, otlpJson, postOtlp, type Auth } from '../helpers';

export interface DatasetProject {
  projectId: string;
  key: string;
  /** An admin-scope key. */
  admin: Auth;
}

export async function datasetProject(): Promise<DatasetProject> {
  const { projectId, key } = await makeProject(['admin']);
  return { projectId, key, admin: { key } };
}

/** A new dataset; returns its id. */
export async function makeDataset(p: DatasetProject, body: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/api/v1/datasets', p.admin, { name: `DS ${hex(4)}`, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** Adds records through the API; returns the version made and the new record ids. */
export async function add(p: DatasetProject, datasetId: string, records: Record<string, unknown>[]): Promise<{ version: number; added: string[] }> {
  const res = await call('POST', `/api/v1/datasets/${datasetId}/records`, p.admin, { records });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** Ingests one chat trace per question; returns the trace ids. */
export async function ingestChats(key: string, chats: { input: string; output: string; model?: string }[]): Promise<string[]> {
  const ids = chats.map(() => hex(16));
  const spans = chats.map((c, i) => llmSpan(ids[i], undefined, c));
  const res = await postOtlp(otlpJson(spans), key);
  expect(res.status).toBe(200);
  return ids;
}

/** A raw request (import bodies, export downloads): the body as bytes, the headers. */
export async function raw(method: string, path: string, auth: Auth, body?: BodyInit, contentType?: string): Promise<{ status: number; text: string; headers: Headers; json: any }> {
  const headers: Record<string, string> = { origin: ORIGIN };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (contentType) headers['content-type'] = contentType;
  const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers, body });
  const text = new TextDecoder().decode(await res.arrayBuffer());
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (an export)
  }
  return { status: res.status, text, headers: res.headers, json };
}

/** The export as text. */
export async function exportText(p: DatasetProject, datasetId: string, query = ''): Promise<string> {
  const res = await raw('GET', `/api/v1/datasets/${datasetId}/export${query ? `?${query}` : ''}`, p.admin);
  expect(res.status, res.text).toBe(200);
  return res.text;
}

/** The inputs of a JSONL export, in order. */
export const inputsOf = (jsonl: string): unknown[] => jsonl.split('\n').filter(Boolean).map((l) => JSON.parse(l).input);
