/**
 * Cloudflare's published prices that the cost model uses, in one place. Read from the Workers, D1, R2
 * and Queues pricing pages as published in 2025 (re-checked 2026-12-07 against the same figures kept in
 * this file; this machine has no network, so check cloudflare.com/plans/developer-platform before budgeting).
 * Paid plan ("Workers Paid", $5/month): usage beyond the included amounts is billed at these rates.
 */
export const PRICES = {
  readOn: '2026-12-07',
  workers: { basePerMonth: 5, includedRequests: 10_000_000, perMillionRequests: 0.3, includedCpuMs: 30_000_000, perMillionCpuMs: 0.02 },
  d1: { includedRowsWritten: 50_000_000, perMillionRowsWritten: 1.0, includedRowsRead: 25_000_000_000, perMillionRowsRead: 0.001, includedStorageGb: 5, perGbMonth: 0.75 },
  r2: { includedStorageGb: 10, perGbMonth: 0.015, includedClassA: 1_000_000, perMillionClassA: 4.5, includedClassB: 10_000_000, perMillionClassB: 0.36 },
  queues: { includedOperations: 1_000_000, perMillionOperations: 0.4 },
} as const;

/** The Workers Free plan's daily allowances and per-invocation limits. */
export const FREE = {
  requestsPerDay: 100_000,
  cpuMsPerInvocation: 10,
  d1RowsWrittenPerDay: 100_000,
  d1RowsReadPerDay: 5_000_000,
  d1DatabaseBytes: 500 * 1024 ** 2,
  r2StorageGb: 10,
} as const;

/** Limits of one D1 database (both plans) that shape capacity. */
export const D1_MAX_DATABASE_BYTES = 10 * 1024 ** 3;
