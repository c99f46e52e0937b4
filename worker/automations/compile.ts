import type { Condition, Rule, SpanAttributeCondition } from '../schemas/automations';
import type { EvalCondition, FeedbackCondition, TraceFilter } from '../schemas/filters';
import type { TraceSnapshot } from './snapshot';

/**
 * Compiles a rule's condition tree into closures once, so matching a trace walks no JSON. A
 * `TraceFilter` leaf means exactly what `compileTraceQuery` (worker/data/trace-query.ts) makes of it
 * in SQL, NULLs included; test/worker/automations/sql-equivalence.test.ts holds the two together.
 */

export type Predicate = (s: TraceSnapshot) => boolean;

/** A rule's match function, with the `when` of each sampling stratum compiled beside it. */
export type CompiledRule = Predicate & { readonly strata: readonly Predicate[] };

/** Relative cost, so a group checks its cheap conditions first (pure predicates: order never changes a result). */
interface Part {
  fn: Predicate;
  cost: number;
}
const SCALAR = 0;
const LIST = 1;
const LOOKUP = 2;
const TEXT = 4;

const always: Predicate = () => true;

function and(ps: Predicate[]): Predicate {
  const [a, b, c] = ps;
  switch (ps.length) {
    case 0: return always;
    case 1: return a;
    case 2: return (s) => a(s) && b(s);
    case 3: return (s) => a(s) && b(s) && c(s);
    default: return (s) => { for (let i = 0; i < ps.length; i++) if (!ps[i](s)) return false; return true; };
  }
}

function or(ps: Predicate[]): Predicate {
  const [a, b, c] = ps;
  switch (ps.length) {
    case 0: return () => false;
    case 1: return a;
    case 2: return (s) => a(s) || b(s);
    case 3: return (s) => a(s) || b(s) || c(s);
    default: return (s) => { for (let i = 0; i < ps.length; i++) if (ps[i](s)) return true; return false; };
  }
}

function combine(parts: Part[], op: typeof and): Part {
  const sorted = [...parts].sort((x, y) => x.cost - y.cost);
  return { fn: op(sorted.map((p) => p.fn)), cost: parts.reduce((n, p) => n + p.cost, 0) };
}

/**
 * SQLite's lower() folds ASCII letters only (D1 has no ICU), and the explorer's `text` condition is
 * `instr(lower(preview), needle)`: the haystack must fold exactly that way. One entry of memory per
 * side, because the rules of a batch all look at the same trace one after another.
 */
function lowerAsciiMemo(): (s: string) => string {
  let last = '';
  let lastLower = '';
  return (s) => {
    if (s === last) return lastLower;
    last = s;
    lastLower = !/[A-Z]/.test(s) ? s : /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    return lastLower;
  };
}
const lowerInput = lowerAsciiMemo();
const lowerOutput = lowerAsciiMemo();

function compileEval(e: EvalCondition): Predicate {
  const { name, minScore: lo, maxScore: hi, label } = e;
  if (e.missing === true) return (s) => !s.evaluations.has(name);
  // As in SQL, a bound on the score fails when the evaluator gave only labels (score NULL).
  return (s) => {
    const r = s.evaluations.get(name);
    if (r === undefined) return false;
    if (lo !== undefined && (r.score === null || !(r.score >= lo))) return false;
    if (hi !== undefined && (r.score === null || !(r.score < hi))) return false;
    return label === undefined || r.labels.includes(label);
  };
}

function compileFeedback(fb: FeedbackCondition): Predicate | null {
  const ps: Predicate[] = [];
  const { thumbs, sentiment, minRating, maxRating } = fb;
  // Mirrors the SQL's `feedback_count > 0`, which it adds for its partial index unless a narrower one applies.
  if (Object.values(fb).some((v) => v !== undefined) && thumbs !== 'down' && sentiment !== 'negative') ps.push((s) => s.feedback.count > 0);
  if (thumbs === 'down') ps.push((s) => s.feedback.thumbsDown > 0);
  if (thumbs === 'up') ps.push((s) => s.feedback.thumbsUp > 0);
  if (sentiment === 'negative') ps.push((s) => s.feedback.negative > 0);
  if (sentiment === 'positive') ps.push((s) => s.feedback.positive > 0);
  if (sentiment === 'neutral') ps.push((s) => s.feedback.neutral > 0);
  // Some rating at least minRating; some rating below maxRating (not necessarily the same one).
  if (minRating !== undefined) ps.push((s) => s.feedback.maxRating !== null && s.feedback.maxRating >= minRating);
  if (maxRating !== undefined) ps.push((s) => s.feedback.minRating !== null && s.feedback.minRating < maxRating);
  return ps.length ? and(ps) : null;
}

type Field<K extends keyof TraceFilter> = [cost: number, compile: (v: NonNullable<TraceFilter[K]>) => Predicate | null];

/**
 * One entry per field of TraceFilter — the mapped type makes a new filter field a compile error here
 * until it is mirrored. Strings are tested for truthiness and numbers for presence, as in SQL.
 */
const FIELDS: { [K in keyof TraceFilter]-?: Field<K> } = {
  from: [SCALAR, (v) => (s) => s.startMs >= v],
  to: [SCALAR, (v) => (s) => s.startMs < v],
  service: [SCALAR, (v) => (v ? (s) => s.service === v : null)],
  environment: [SCALAR, (v) => (v ? (s) => s.environment === v : null)],
  model: [LIST, (v) => (v ? (s) => s.model === v || s.models.includes(v) : null)],
  promptVersion: [SCALAR, (v) => (v ? (s) => s.promptVersion === v : null)],
  // The SQL adds error_count > 0 to status=error for its partial index; kept so the two never disagree.
  status: [SCALAR, (v) => (!v ? null : v === 'error' ? (s) => s.status === 'error' && s.errorCount > 0 : (s) => s.status === v)],
  hasError: [SCALAR, (v) => (v ? (s) => s.errorCount > 0 : (s) => s.errorCount === 0)],
  minRetries: [SCALAR, (v) => (s) => s.retryCount >= v],
  minDurationMs: [SCALAR, (v) => (s) => s.durationMs >= v],
  maxDurationMs: [SCALAR, (v) => (s) => s.durationMs < v],
  minTokens: [SCALAR, (v) => (s) => s.totalTokens >= v],
  maxTokens: [SCALAR, (v) => (s) => s.totalTokens < v],
  // A trace without a cost (NULL) fails both bounds in SQL; in JS `null >= 0` would be true.
  minCost: [SCALAR, (v) => (s) => s.costUsd !== null && s.costUsd >= v],
  maxCost: [SCALAR, (v) => (s) => s.costUsd !== null && s.costUsd < v],
  tag: [LIST, (v) => (v ? (s) => s.tags.includes(v) : null)],
  sessionId: [SCALAR, (v) => (v ? (s) => s.sessionId === v : null)],
  userId: [SCALAR, (v) => (v ? (s) => s.userId === v : null)],
  text: [TEXT, (v) => {
    if (!v) return null;
    const needle = v.toLowerCase();
    return (s) =>
      (s.inputPreview !== null && lowerInput(s.inputPreview).includes(needle)) ||
      (s.outputPreview !== null && lowerOutput(s.outputPreview).includes(needle));
  }],
  evals: [LOOKUP, (v) => (v.length ? and(v.map(compileEval)) : null)],
  feedback: [SCALAR, compileFeedback],
};

function compileFilter(f: TraceFilter): Part {
  const parts: Part[] = [];
  for (const key of Object.keys(f) as (keyof TraceFilter)[]) {
    const value = f[key];
    if (value === undefined) continue;
    // A field the engine does not know would be ignored by SQL but must not widen a rule silently.
    if (!Object.hasOwn(FIELDS, key)) throw new Error(`unknown filter field "${key}"`);
    const [cost, compile] = FIELDS[key] as Field<typeof key>;
    const fn = (compile as (v: unknown) => Predicate | null)(value);
    if (fn) parts.push({ fn, cost });
  }
  return combine(parts, and);
}

function compileSpanAttribute({ spanAttribute: { key, op, value = '' } }: SpanAttributeCondition): Part {
  if (op === 'exists') return { fn: (s) => s.spanAttributes.has(key), cost: LOOKUP };
  if (op === 'equals') return { fn: (s) => s.spanAttributes.get(key)?.includes(value) === true, cost: LOOKUP };
  // Case-insensitive, like `text`; attribute values have no SQL twin, so full Unicode folding.
  const needle = value.toLowerCase();
  return { fn: (s) => s.spanAttributes.get(key)?.some((x) => x.toLowerCase().includes(needle)) === true, cost: TEXT };
}

function compileNode(c: Condition): Part {
  if ('all' in c) return combine(c.all.map(compileNode), and);
  if ('any' in c) return combine(c.any.map(compileNode), or);
  if ('spanAttribute' in c) return compileSpanAttribute(c);
  return compileFilter(c);
}

/** Compiles a condition tree (group or leaf) into one predicate. */
export function compileCondition(c: Condition): Predicate {
  return compileNode(c).fn;
}

/**
 * Compiles a rule once; the result is called per trace: `compileRule(rule)(snapshot)` is true when
 * the trace matches the rule's condition. Sampling is separate (see `decide` in ./sample).
 */
export function compileRule(rule: Pick<Rule, 'condition' | 'sampling'>): CompiledRule {
  const match = compileCondition(rule.condition);
  const strata = 'strata' in rule.sampling ? rule.sampling.strata.map((st) => compileCondition(st.when)) : [];
  // A fresh function: `match` may be a shared one (e.g. `always`) that must not carry this rule's strata.
  return Object.assign((s: TraceSnapshot) => match(s), { strata });
}
