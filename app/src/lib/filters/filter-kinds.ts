import { formatEval, parseEval, type Chip, type FilterChange, type FilterKey } from './chips';

/** What "+ Add filter" offers, and how each small form turns into filter parameters (and back, to edit a chip). */

export type KindId =
  | 'eval' | 'feedback' | 'rating' | 'errors' | 'status' | 'latency' | 'tokens' | 'cost' | 'retries' | 'text'
  | 'model' | 'service' | 'environment' | 'promptVersion' | 'tag' | 'sessionId' | 'userId';

export interface Kind {
  id: KindId;
  label: string;
  group: 'Signals' | 'Outcome' | 'Size' | 'Attributes';
}

export const KINDS: Kind[] = [
  { id: 'eval', label: 'Evaluation score', group: 'Signals' },
  { id: 'feedback', label: 'Feedback', group: 'Signals' },
  { id: 'rating', label: 'Rating', group: 'Signals' },
  { id: 'errors', label: 'Errors', group: 'Outcome' },
  { id: 'status', label: 'Status', group: 'Outcome' },
  { id: 'retries', label: 'Retries', group: 'Outcome' },
  { id: 'text', label: 'Text in input or output', group: 'Outcome' },
  { id: 'latency', label: 'Latency', group: 'Size' },
  { id: 'tokens', label: 'Tokens', group: 'Size' },
  { id: 'cost', label: 'Cost', group: 'Size' },
  { id: 'model', label: 'Model', group: 'Attributes' },
  { id: 'service', label: 'Service', group: 'Attributes' },
  { id: 'environment', label: 'Environment', group: 'Attributes' },
  { id: 'promptVersion', label: 'Prompt version', group: 'Attributes' },
  { id: 'tag', label: 'Tag', group: 'Attributes' },
  { id: 'sessionId', label: 'Session id', group: 'Attributes' },
  { id: 'userId', label: 'User id', group: 'Attributes' },
];

/** Values seen on screen, offered while typing (until the API has facets). */
export interface Suggestions {
  evals: string[];
  models: string[];
  services: string[];
  environments: string[];
  tags: string[];
  prompts: string[];
}

/** The editor's fields; every kind uses the few it needs. */
export interface Draft {
  kind: KindId;
  op: string;
  value: string;
  name: string;
}

const EQ_KINDS: KindId[] = ['model', 'service', 'environment', 'promptVersion', 'tag', 'sessionId', 'userId'];
/** Kinds with a ≥ / < choice, and the parameters behind each side. */
const RANGE_KEYS: Partial<Record<KindId, [FilterKey, FilterKey]>> = {
  latency: ['minDurationMs', 'maxDurationMs'],
  tokens: ['minTokens', 'maxTokens'],
  cost: ['minCost', 'maxCost'],
  rating: ['minRating', 'maxRating'],
};

export function emptyDraft(kind: KindId): Draft {
  const op = kind === 'eval' ? 'lt' : kind === 'errors' ? 'true' : kind === 'feedback' ? 'down' : kind === 'status' ? 'error' : kind === 'rating' ? 'lt' : 'gte';
  const value = kind === 'eval' ? '0.5' : kind === 'latency' ? '5' : kind === 'retries' ? '1' : '';
  return { kind, op, value, name: '' };
}

/** The chip's filter back in the editor, to change it. */
export function draftFromChip(chip: Chip): Draft | null {
  const k = chip.key;
  if (k === 'eval') {
    const c = parseEval(chip.value);
    return c ? { kind: 'eval', name: c.name, op: c.op, value: c.arg } : null;
  }
  if (k === 'hasError') return { kind: 'errors', op: chip.value, value: '', name: '' };
  if (k === 'status') return { kind: 'status', op: chip.value, value: '', name: '' };
  if (k === 'feedback') return { kind: 'feedback', op: chip.value, value: '', name: '' };
  if (k === 'minRetries') return { kind: 'retries', op: 'gte', value: chip.value, name: '' };
  if (k === 'text') return { kind: 'text', op: '', value: chip.value, name: '' };
  if ((EQ_KINDS as string[]).includes(k)) return { kind: k as KindId, op: 'eq', value: chip.value, name: '' };
  for (const [kind, [min, max]] of Object.entries(RANGE_KEYS) as [KindId, [FilterKey, FilterKey]][]) {
    if (k === min || k === max) {
      const value = kind === 'latency' ? String(Number(chip.value) / 1000) : chip.value;
      return { kind, op: k === min ? 'gte' : 'lt', value, name: '' };
    }
  }
  return null;
}

function nonNegative(v: string, what: string, integer = false): number | string {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) return `Enter ${what} (a number, 0 or more).`;
  if (integer && !Number.isInteger(n)) return `Enter ${what} as a whole number.`;
  return n;
}

/** The change for a finished draft, or a message saying what is missing. */
export function draftToChange(draft: Draft): FilterChange | string {
  // A number input bound with `bind:value` hands back a number (or null when empty), not a string.
  const d: Draft = { ...draft, value: draft.value == null ? '' : String(draft.value) };
  const set = (key: FilterKey, value: string): FilterChange => ({ set: [{ key, value }] });
  switch (d.kind) {
    case 'eval': {
      const name = d.name.trim();
      if (!name) return 'Enter the evaluator name, e.g. faithfulness.';
      if (name.includes(':')) return 'An evaluator name cannot contain “:”.';
      if (d.op === 'lt' || d.op === 'gte') {
        const n = Number(d.value.trim());
        if (d.value.trim() === '' || !Number.isFinite(n)) return 'Enter a score, e.g. 0.5.';
        return set('eval', formatEval({ name, op: d.op, arg: String(n) }));
      }
      if (d.op === 'label') {
        if (!d.value.trim()) return 'Enter the label, e.g. fail.';
        return set('eval', formatEval({ name, op: 'label', arg: d.value.trim() }));
      }
      return set('eval', formatEval({ name, op: d.op === 'missing' ? 'missing' : 'present', arg: '' }));
    }
    case 'feedback':
      return set('feedback', d.op);
    case 'errors':
      return set('hasError', d.op === 'false' ? 'false' : 'true');
    case 'status':
      return set('status', d.op);
    case 'retries': {
      const n = nonNegative(d.value, 'a number of retries', true);
      return typeof n === 'string' ? n : set('minRetries', String(n));
    }
    case 'text': {
      const v = d.value.trim();
      if (v.length < 2) return 'Enter at least 2 characters.';
      if (v.length > 200) return 'Use at most 200 characters.';
      return set('text', v);
    }
    case 'latency':
    case 'tokens':
    case 'cost':
    case 'rating': {
      const [min, max] = RANGE_KEYS[d.kind]!;
      const what = { latency: 'seconds', tokens: 'a token count', cost: 'dollars', rating: 'a rating between 0 and 1' }[d.kind];
      const n = nonNegative(d.value, what, d.kind === 'tokens');
      if (typeof n === 'string') return n;
      if (d.kind === 'rating' && n > 1) return 'Ratings are normalized to 0..1 (e.g. 4 of 5 stars is 0.8).';
      const value = d.kind === 'latency' ? String(Math.round(n * 1000)) : String(n);
      return set(d.op === 'lt' ? max : min, value);
    }
    default: {
      const v = d.value.trim();
      if (!v) return 'Enter a value.';
      if (v.length > 256) return 'Use at most 256 characters.';
      return set(d.kind as FilterKey, v);
    }
  }
}
