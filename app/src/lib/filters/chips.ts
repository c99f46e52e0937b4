/**
 * The filter language as chips: one chip per condition, written in the query-string form of
 * `GET /api/v1/traces` (`eval=faithfulness:lt:0.5`, `minDurationMs=5000`). The traces explorer keeps
 * them in its URL; automation rules keep them as filter objects (see `filter-object.ts`). Pure.
 */

/** Filter parameters, one value each (`eval` may repeat). */
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

/** A change to the filters: values to drop, then values to set (`eval` is added, the rest replaced). */
export interface FilterChange {
  remove?: { key: FilterKey; value?: string }[];
  set?: { key: FilterKey; value: string }[];
}

/** The removal of one chip, as a change. */
export function removalOf(chip: Chip): FilterChange {
  return { remove: [{ key: chip.key, value: chip.key === 'eval' ? chip.value : undefined }] };
}

/** Applies a change to filter parameters; other parameters are left as they are. */
export function applyFilterChange(q: URLSearchParams, change: FilterChange): URLSearchParams {
  const next = new URLSearchParams(q);
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
  return next;
}
