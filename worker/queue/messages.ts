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

export const PostIngestMessage = z.discriminatedUnion('type', [TracesTouched, BackfillStep]);
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
