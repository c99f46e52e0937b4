/** Sizes that decide how queued ingest carries an accepted request to its consumer (worker/ingest/accept.ts). */

/** Queue messages are limited to 128 KB; a body whose gzip is larger goes to R2 and the message names it. */
export const INLINE_GZIP_BYTES = 90_000;

/**
 * Bodies larger than this are not compressed on the request path: they go to R2 as received (an R2 put
 * is I/O, a gzip of a 512-span export is most of the request's CPU), so the request path of the OTel
 * SDK's default export fits Workers Free's 10 ms of CPU.
 */
export const RAW_SPILL_BYTES = 256 * 1024;
