/**
 * The explorer's state lives in the URL query, in the API's own parameter names (`GET /api/v1/traces`),
 * so a link reproduces the view and the server passes it on as is. Pure functions; shared by the load
 * and the page.
 */

export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: null } as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_LABEL: Record<RangeKey, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
};

/** Filter parameters passed through to the API unchanged, one value each. */
export const FILTER_KEYS = [
  'status', 'hasError', 'minRetries', 'minDurationMs', 'maxDurationMs', 'minTokens', 'maxTokens', 'minCost', 'maxCost',
  'model', 'service', 'environment', 'promptVersion', 'tag', 'sessionId', 'userId', 'text', 'feedback', 'minRating',
  'maxRating', 'from', 'to',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number] | 'eval';

/** One active filter, shown as a removable chip. `eval` may repeat; every other key appears once. */
export interface Chip {
  key: FilterKey;
  value: string;
  label: string;
  /** Shown before the label. */
  icon?: 'up' | 'down';
}

function chipIcon(key: FilterKey, value: string): Chip['icon'] {
  return key === 'feedback' && (value === 'up' || value === 'down') ? value : undefined;
}

export function readRange(q: URLSearchParams): RangeKey {
  const r = q.get('range') ?? 'all';
  return r in RANGES ? (r as RangeKey) : 'all';
}

export type EvalOp = 'lt' | 'gte' | 'label' | 'missing' | 'present';
export interface EvalCond {
  name: string;
  op: EvalOp;
  arg: string;
}

/** `faithfulness:lt:0.5` → { name, op, arg }, as the API reads it; null when malformed. */
export function parseEval(raw: string): EvalCond | null {
  const [name, op, ...rest] = raw.split(':');
  if (!name || !['lt', 'gte', 'label', 'missing', 'present'].includes(op)) return null;
  return { name, op: op as EvalOp, arg: rest.join(':') };
}

export function formatEval(c: EvalCond): string {
  return c.op === 'missing' || c.op === 'present' ? `${c.name}:${c.op}` : `${c.name}:${c.op}:${c.arg}`;
}

export const FEEDBACK_LABEL: Record<string, string> = {
  down: 'thumbs down',
  up: 'thumbs up',
  negative: 'negative feedback',
  neutral: 'neutral feedback',
  positive: 'positive feedback',
};

/** 5000 → "5 s", 1500 → "1.5 s", 250 → "250 ms". */
export function formatMs(ms: string | number): string {
  const n = Number(ms);
  if (!Number.isFinite(n)) return String(ms);
  if (n < 1000) return `${n} ms`;
  return `${Number((n / 1000).toFixed(3))} s`;
}

const EQ_LABEL: Partial<Record<FilterKey, string>> = {
  status: 'status',
  model: 'model',
  service: 'service',
  environment: 'env',
  promptVersion: 'prompt',
  tag: 'tag',
  sessionId: 'session',
  userId: 'user',
};

function timeLabel(v: string): string {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') : v;
}

export function chipLabel(key: FilterKey, value: string): string {
  const eq = EQ_LABEL[key];
  if (eq) return `${eq} = ${value}`;
  switch (key) {
    case 'hasError':
      return value === 'false' ? 'no errors' : 'errors';
    case 'minRetries':
      return `retries ≥ ${value}`;
    case 'minDurationMs':
      return `latency ≥ ${formatMs(value)}`;
    case 'maxDurationMs':
      return `latency < ${formatMs(value)}`;
    case 'minTokens':
      return `tokens ≥ ${Number(value).toLocaleString('en-US')}`;
    case 'maxTokens':
      return `tokens < ${Number(value).toLocaleString('en-US')}`;
    case 'minCost':
      return `cost ≥ $${value}`;
    case 'maxCost':
      return `cost < $${value}`;
    case 'text':
      return `text ~ ${value}`;
    case 'feedback':
      return FEEDBACK_LABEL[value] ?? `feedback = ${value}`;
    case 'minRating':
      return `rating ≥ ${value}`;
    case 'maxRating':
      return `rating < ${value}`;
    case 'from':
      return `from ${timeLabel(value)}`;
    case 'to':
      return `before ${timeLabel(value)}`;
    case 'eval': {
      const c = parseEval(value);
      if (!c) return `eval ${value}`;
      if (c.op === 'lt') return `${c.name} < ${c.arg}`;
      if (c.op === 'gte') return `${c.name} ≥ ${c.arg}`;
      if (c.op === 'label') return `${c.name} = ${c.arg}`;
      return c.op === 'missing' ? `no ${c.name}` : `has ${c.name}`;
    }
    default:
      return `${key} = ${value}`;
  }
}

export function readChips(q: URLSearchParams): Chip[] {
  const chips: Chip[] = [];
  for (const key of FILTER_KEYS) {
    const value = q.get(key)?.trim();
    if (value) chips.push({ key, value, label: chipLabel(key, value), icon: chipIcon(key, value) });
  }
  for (const value of q.getAll('eval')) if (value) chips.push({ key: 'eval', value, label: chipLabel('eval', value) });
  return chips;
}

export function isFiltered(q: URLSearchParams): boolean {
  return readRange(q) !== 'all' || readChips(q).length > 0;
}

/** `?…` for these params, or the bare list when nothing is left; paging always starts over. */
export function hrefFor(q: URLSearchParams): string {
  const next = new URLSearchParams(q);
  next.delete('cursor');
  const s = next.toString();
  return s ? `?${s}` : '/traces';
}

/** A change to the filters: values to drop, then values to set (`eval` is added, the rest replaced). */
export interface FilterChange {
  remove?: { key: FilterKey; value?: string }[];
  set?: { key: FilterKey; value: string }[];
}

export function applyChange(q: URLSearchParams, change: FilterChange): URLSearchParams {
  const next = new URLSearchParams(q);
  next.delete('cursor');
  for (const r of change.remove ?? []) next.delete(r.key, r.value);
  for (const s of change.set ?? []) {
    if (s.key === 'eval') {
      // One condition per evaluator and operator: re-adding replaces it.
      const c = parseEval(s.value);
      for (const old of next.getAll('eval')) {
        const o = parseEval(old);
        if (o && c && o.name === c.name && o.op === c.op) next.delete('eval', old);
      }
      next.append('eval', s.value);
    } else {
      next.set(s.key, s.value);
    }
  }
  // A score sort needs its evaluator; if its last condition went, fall back to time order.
  if (next.get('sort') === 'score' && !next.get('sortEval') && !next.getAll('eval').length) {
    next.delete('sort');
    next.delete('order');
  }
  return next;
}

export function withoutChip(q: URLSearchParams, chip: Chip): string {
  return hrefFor(applyChange(q, { remove: [{ key: chip.key, value: chip.key === 'eval' ? chip.value : undefined }] }));
}

/** Everything filter-related cleared; the time range and sort stay. */
export function clearedHref(q: URLSearchParams): string {
  const next = new URLSearchParams();
  for (const k of ['range', 'sort', 'order', 'sortEval']) {
    const v = q.get(k);
    if (v) next.set(k, v);
  }
  if (next.get('sort') === 'score' && !next.get('sortEval')) {
    next.delete('sort');
    next.delete('order');
  }
  return hrefFor(next);
}

/** Quick views; each toggles one filter. */
export const PRESETS: { label: string; title: string; key: FilterKey; value: string; icon?: 'up' | 'down' }[] = [
  { label: 'Errors', title: 'Traces with at least one failed span', key: 'hasError', value: 'true' },
  { label: 'Thumbs down', title: 'Traces an end user gave a thumbs down', key: 'feedback', value: 'down', icon: 'down' },
  { label: 'Low faithfulness', title: 'A faithfulness score below 0.5', key: 'eval', value: 'faithfulness:lt:0.5' },
  { label: 'Slow', title: 'Latency of 5 s or more', key: 'minDurationMs', value: '5000' },
];

export function presetActive(q: URLSearchParams, p: (typeof PRESETS)[number]): boolean {
  return q.getAll(p.key).includes(p.value);
}

export function togglePreset(q: URLSearchParams, p: (typeof PRESETS)[number]): string {
  return hrefFor(
    presetActive(q, p)
      ? applyChange(q, { remove: [{ key: p.key, value: p.value }] })
      : applyChange(q, { set: [{ key: p.key, value: p.value }] }),
  );
}
