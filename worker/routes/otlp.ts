import { Hono } from 'hono';
import { acceptSpans, ingestMode } from '../ingest/accept';
import { storeSpans } from '../ingest/service';
import { otlpFormat, readBody, type OtlpFormat } from '../ingest/body';
import { throttle } from '../ingest/throttle';
import { HttpError, ServiceUnavailable, TooManyRequests } from '../lib/errors';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { count, METRICS } from '../ops/counters';
import { log } from '../ops/log';
import { decodeJson, decodeProtobuf, OtlpDecodeError } from '../otlp/decode';
import { screenProtobuf } from '../otlp/screen';
import type { RejectedSpans } from '../otlp/types';
import { encodeExportResponse, encodeStatus } from '../otlp/encode-response';

const CONTENT_TYPE: Record<OtlpFormat, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** OTLP/HTTP answers errors with a google.rpc.Status in the request's encoding, not Sieve's JSON errors. */
function statusResponse(err: HttpError, format: OtlpFormat): Response {
  const body = encodeStatus(err.status, err.message, format);
  return new Response(body, { status: err.status, headers: { 'content-type': CONTENT_TYPE[format], ...err.headers } });
}

function guessFormat(contentType: string | undefined): OtlpFormat {
  return contentType?.toLowerCase().includes('json') ? 'json' : 'protobuf';
}

const routes = new Hono<AppEnv>()
  .onError((err, c) => {
    const format = guessFormat(c.req.header('content-type'));
    if (err instanceof HttpError) return statusResponse(err, format);
    // Whatever failed (a storage call, the key lookup), nothing was acknowledged: 503 is retryable per the
    // OTLP spec, where a 500 would make exporters drop the batch.
    log.error('otlp ingest failed', { error: err });
    return statusResponse(new ServiceUnavailable('Temporarily unable to store spans; retry later.', 2), format);
  })
  .post('/traces', authenticate, requireAccess('ingest'), async (c) => {
    const projectId = c.get('projectId');
    count(METRICS.ingestRequests, projectId);
    try {
      return await ingest(c.env, c.req.raw, projectId);
    } catch (err) {
      count(METRICS.ingestFailed, projectId);
      throw err;
    }
  });

/** Decodes, stores and answers one export request, counting its spans and bytes (in memory; see ops/counters). */
async function ingest(env: Env, req: Request, projectId: string): Promise<Response> {
  const wait = throttle(projectId, Number(env.INGEST_RATE_LIMIT_RPS));
  if (wait) throw new TooManyRequests('Ingest rate limit reached for this project.', wait);
  const format = otlpFormat(req.headers.get('content-type') ?? undefined);
  const bytes = await readBody(req);
  count(METRICS.ingestBytes, projectId, bytes.byteLength);
  let result: { stored: number; rejected: RejectedSpans };
  try {
    result = ingestMode(env) === 'queued' ? await queued(env, projectId, format, bytes) : await direct(env, projectId, format, bytes);
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw new HttpError(400, 'bad_request', err.message);
    throw err;
  }
  count(METRICS.spansAccepted, projectId, result.stored);
  count(METRICS.spansRejected, projectId, result.rejected.count);
  const body = encodeExportResponse(result.rejected, format);
  return new Response(body, { status: 200, headers: { 'content-type': CONTENT_TYPE[format] } });
}

/** Direct ingest: decode, map and store before answering; the spans are readable at once. */
async function direct(env: Env, projectId: string, format: OtlpFormat, bytes: Uint8Array) {
  const decoded = format === 'protobuf' ? decodeProtobuf(bytes) : decodeJson(new TextDecoder().decode(bytes));
  return { stored: await storeSpans(env, projectId, decoded), rejected: decoded.rejected };
}

/**
 * Queued ingest: screen (protobuf: ids and times read from the wire; JSON: a full decode), put the body
 * on the Queue, answer; the consumer stores it (worker/ingest/accept.ts).
 */
async function queued(env: Env, projectId: string, format: OtlpFormat, bytes: Uint8Array) {
  let screened;
  if (format === 'protobuf') screened = screenProtobuf(bytes);
  else {
    const decoded = decodeJson(new TextDecoder().decode(bytes));
    screened = { accepted: decoded.spans.length, rejected: decoded.rejected };
  }
  await acceptSpans(env, projectId, format, bytes, screened.accepted);
  return { stored: screened.accepted, rejected: screened.rejected };
}

export default routes;
export type OtlpRoutes = typeof routes;
