import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from '../lib/errors';

/** OTLP's recommended cap, applied to the body as sent and again after decompression. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

export type OtlpFormat = 'protobuf' | 'json';

/** Which OTLP encoding a Content-Type names; 415 for anything else. */
export function otlpFormat(contentType: string | undefined): OtlpFormat {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new UnsupportedMediaType(
    `Content-Type must be application/x-protobuf or application/json, not "${type || '(none)'}".`,
  );
}

async function readCapped(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads a request body within `limit` bytes, decompressing gzip (also capped, so a gzip bomb
 * stops at the limit instead of filling memory).
 */
export async function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) throw new PayloadTooLarge(limit);
  if (!req.body) return new Uint8Array();
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return readCapped(req.body, limit);
  if (encoding !== 'gzip') throw new UnsupportedMediaType(`Content-Encoding "${encoding}" is not supported; use gzip or none.`);
  return gunzip(await readCapped(req.body, limit), limit);
}

/** Decompresses gzip within `limit` bytes (413 past it, 400 when it is not gzip); queued ingest reuses it. */
export async function gunzip(raw: Uint8Array, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const inflated = new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return await readCapped(inflated, limit);
  } catch (err) {
    if (err instanceof PayloadTooLarge) throw err;
    throw new BadRequest('The body is not valid gzip.');
  }
}
