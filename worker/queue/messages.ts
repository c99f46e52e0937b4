import { z } from 'zod';

/** Work for the post-ingest consumer: these traces changed (new spans, new signals). */
export const TracesTouched = z.object({
  type: z.literal('traces.touched'),
  projectId: z.string(),
  traceIds: z.array(z.string()).min(1),
});
export type TracesTouched = z.infer<typeof TracesTouched>;

/** One step of an automation backfill (see worker/automations/backfill.ts). */
export const BackfillStep = z.object({
  type: z.literal('automation.backfill'),
  projectId: z.string(),
  ruleId: z.string(),
  jobId: z.string(),
});

/**
 * An accepted OTLP request waiting to be stored (queued ingest, worker/ingest/accept.ts): the body as
 * gzip, in base64 inside the message when small enough, else spilled to R2 under `key`.
 */
export const SpansReceived = z
  .object({
    type: z.literal('spans.received'),
    projectId: z.string(),
    format: z.enum(['protobuf', 'json']),
    /** Spans the request was acknowledged with (after screening). */
    spans: z.number().int().nonnegative(),
    receivedAt: z.number(),
    gzipBase64: z.string().optional(),
    key: z.string().optional(),
  })
  .refine((m) => (m.gzipBase64 === undefined) !== (m.key === undefined), 'exactly one of gzipBase64 and key');
export type SpansReceived = z.infer<typeof SpansReceived>;

export const PostIngestMessage = z.discriminatedUnion('type', [TracesTouched, BackfillStep, SpansReceived]);
export type PostIngestMessage = z.infer<typeof PostIngestMessage>;

/** Queue messages are limited to 128 KB; 1,000 trace ids stay far below. */
const TRACE_IDS_PER_MESSAGE = 1000;

export function touchedMessages(projectId: string, traceIds: string[]): PostIngestMessage[] {
  const out: PostIngestMessage[] = [];
  for (let i = 0; i < traceIds.length; i += TRACE_IDS_PER_MESSAGE) {
    out.push({ type: 'traces.touched', projectId, traceIds: traceIds.slice(i, i + TRACE_IDS_PER_MESSAGE) });
  }
  return out;
}
