/** The trace list's filters as they live in the URL query. Shared by the server load and the page. */

export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, all: null } as const;
export type RangeKey = keyof typeof RANGES;
export const STATUSES = ['error', 'ok', 'unset'] as const;
export type StatusFilter = (typeof STATUSES)[number];

export interface TraceFilters {
  range: RangeKey;
  status: StatusFilter | '';
  service: string;
  environment: string;
  model: string;
}

export function readFilters(q: URLSearchParams): TraceFilters {
  const range = q.get('range') ?? 'all';
  const status = q.get('status') ?? '';
  return {
    range: range in RANGES ? (range as RangeKey) : 'all',
    status: (STATUSES as readonly string[]).includes(status) ? (status as StatusFilter) : '',
    service: (q.get('service') ?? '').trim(),
    environment: (q.get('environment') ?? '').trim(),
    model: (q.get('model') ?? '').trim(),
  };
}

export function isFiltered(f: TraceFilters): boolean {
  return f.range !== 'all' || !!(f.status || f.service || f.environment || f.model);
}

/** The API query for these filters; `from` is fixed when the list loads so "Load more" pages the same window. */
export function apiQuery(f: TraceFilters, now: number): Record<string, string> {
  const q: Record<string, string> = {};
  const span = RANGES[f.range];
  if (span !== null) q.from = String(now - span);
  if (f.status) q.status = f.status;
  if (f.service) q.service = f.service;
  if (f.environment) q.environment = f.environment;
  if (f.model) q.model = f.model;
  return q;
}
