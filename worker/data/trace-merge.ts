/**
 * A trace's aggregates, merged span batch by span batch in one pass over the new spans, so
 * ingest costs grow with the spans of a request and never re-read a trace's older spans.
 * Pure: the index (trace-index.ts) loads a trace's state, merges, and writes the row back.
 *
 * The definition is the one of "all spans at once": merging batches in any order, with repeats,
 * gives the same row as merging every span in one batch (tested as a property). The one case
 * a merge cannot settle from the state alone — a stored model span turning out to have a model
 * child, so it no longer counts as a leaf call — is reported as `recompute`, and the caller
 * merges the trace's full span set from R2 instead (rare: a parent span exported before its child).
 */

/** The span kinds (Sieve's semantic kinds) that count as model calls. */
const MODEL_KINDS = new Set(['llm', 'embedding']);

/**
 * What the trace index needs of one span: its identity, times and status, and the mapped fields a trace's
 * aggregates are made of (worker/ingest/span-info.ts builds it); everything else of the span stays in R2.
 */
export interface SpanInfo {
  id: string;
  parent: string | null;
  name: string;
  kind: string;
  start: number;
  end: number;
  status: 'unset' | 'ok' | 'error';
  service: string | null;
  environment: string | null;
  model: string | null;
  promptVersion: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cost: number | null;
  session: string | null;
  user: string | null;
  tags: string[];
  retry: boolean;
  inputPreview: string | null;
  outputPreview: string | null;
  /** Values replaced or attributes dropped by redaction at ingest. */
  redactions: number;
}

type Str = string | null;

/**
 * The merge state kept per trace (JSON in trace_spans.state): counters, the current holder of each
 * "best span" role with the fields the row takes from it, and the model spans' parent links.
 */
export interface TraceState {
  /** span count, errors, oks, retries, redactions */
  c: [n: number, errors: number, oks: number, retries: number, redactions: number];
  /** first start, last end (ms) */
  t: [start: number, end: number];
  /** leaf model calls: count, input, output and total tokens, cost (null until one has a cost) */
  u: [calls: number, input: number, output: number, total: number, cost: number | null];
  /** model and embedding spans: id, parent, whether it is still a leaf (no model child) */
  m: [id: string, parent: Str, leaf: 0 | 1][];
  /** root: rank (has parent, start, id), then name, service, environment, model, prompt version, session, user, input and output preview */
  r: [hasParent: 0 | 1, start: number, id: string, name: string, service: Str, environment: Str, model: Str, promptVersion: Str, session: Str, user: Str, input: Str, output: Str];
  /** first call: rank (leaf, llm, start, id), then its model and input preview */
  f: [leaf: 0 | 1, llm: 0 | 1, start: number, id: string, model: Str, input: Str];
  /** last call: rank (leaf, llm, end, id), then its output preview */
  l: [leaf: 0 | 1, llm: 0 | 1, end: number, id: string, output: Str];
  /** the greatest service, environment, prompt version, session, user seen on any span */
  a: [Str, Str, Str, Str, Str];
  /** models: name, seen on an llm span, first start */
  o: [model: string, llm: 0 | 1, start: number][];
  /** tags, sorted */
  g: string[];
}

/** The span-derived columns of a `traces` row. */
export interface TraceRowValues {
  name: string;
  service: Str;
  environment: Str;
  model: Str;
  models: string[];
  promptVersion: Str;
  status: 'unset' | 'ok' | 'error';
  errorCount: number;
  retryCount: number;
  llmCallCount: number;
  spanCount: number;
  startMs: number;
  endMs: number;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number | null;
  sessionId: Str;
  userId: Str;
  tags: string[];
  inputPreview: Str;
  outputPreview: Str;
  redactions: number;
}

export interface MergeResult {
  state: TraceState;
  /** The spans of the batch that were new to the trace (repeats of stored ids are dropped). */
  added: SpanInfo[];
  /** A stored leaf call got a model child: merge the trace's whole span set instead. */
  recompute: boolean;
}

const maxStr = (a: Str, b: Str): Str => (a === null ? b : b === null ? a : b > a ? b : a);

/** Tuple order: numbers and strings compared position by position, as SQL's ORDER BY would. */
function less(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return true;
    if (a[i] > b[i]) return false;
  }
  return false;
}

/**
 * Merges `batch` into `state` (null for a trace seen for the first time). `known` holds the span ids
 * the trace already has; new ids are added to it. Spans repeated within the batch count once.
 */
export function mergeSpans(state: TraceState | null, known: Set<string>, batch: readonly SpanInfo[]): MergeResult {
  const added: SpanInfo[] = [];
  for (const s of batch) {
    if (known.has(s.id)) continue;
    known.add(s.id);
    added.push(s);
  }
  if (!added.length && state) return { state, added, recompute: false };

  // Model spans, old and new, and which of them have a model child.
  const models = new Map<string, { parent: Str; leaf: 0 | 1; fresh: boolean }>();
  for (const [id, parent, leaf] of state?.m ?? []) models.set(id, { parent, leaf, fresh: false });
  for (const s of added) if (MODEL_KINDS.has(s.kind)) models.set(s.id, { parent: s.parent, leaf: 1, fresh: true });
  let recompute = false;
  for (const [, m] of models) {
    const parent = m.parent === null ? undefined : models.get(m.parent);
    if (!parent || !parent.leaf || !(m.fresh || parent.fresh)) continue;
    // A stored leaf call that gets a model child no longer counts, and the state cannot subtract it.
    if (!parent.fresh) recompute = true;
    parent.leaf = 0;
  }

  const c = state ? ([...state.c] as TraceState['c']) : ([0, 0, 0, 0, 0] as TraceState['c']);
  const t = state ? ([...state.t] as TraceState['t']) : ([Infinity, -Infinity] as TraceState['t']);
  const u = state ? ([...state.u] as TraceState['u']) : ([0, 0, 0, 0, null] as TraceState['u']);
  let r = state?.r ?? null;
  let f = state?.f ?? null;
  let l = state?.l ?? null;
  const a = state ? ([...state.a] as TraceState['a']) : ([null, null, null, null, null] as TraceState['a']);
  const o = new Map<string, [string, 0 | 1, number]>((state?.o ?? []).map((x) => [x[0], [...x] as [string, 0 | 1, number]]));
  const g = new Set(state?.g ?? []);

  for (const s of added) {
    c[0]++;
    if (s.status === 'error') c[1]++;
    else if (s.status === 'ok') c[2]++;
    if (s.retry) c[3]++;
    c[4] += s.redactions;
    if (s.start < t[0]) t[0] = s.start;
    if (s.end > t[1]) t[1] = s.end;
    const isModel = MODEL_KINDS.has(s.kind);
    const leaf: 0 | 1 = isModel && models.get(s.id)!.leaf ? 1 : 0;
    const llm: 0 | 1 = s.kind === 'llm' ? 1 : 0;
    if (leaf) {
      u[0]++;
      u[1] += s.inputTokens ?? 0;
      u[2] += s.outputTokens ?? 0;
      u[3] += s.totalTokens ?? 0;
      if (s.cost !== null) u[4] = (u[4] ?? 0) + s.cost;
    }
    const hasParent: 0 | 1 = s.parent === null ? 0 : 1;
    if (!r || less([hasParent, s.start, s.id], [r[0], r[1], r[2]])) {
      r = [hasParent, s.start, s.id, s.name, s.service, s.environment, s.model, s.promptVersion, s.session, s.user, s.inputPreview, s.outputPreview];
    }
    if (!f || less([-leaf, -llm, s.start, s.id], [-f[0], -f[1], f[2], f[3]])) f = [leaf, llm, s.start, s.id, s.model, s.inputPreview];
    if (!l || less([-leaf, -llm, -s.end, s.id], [-l[0], -l[1], -l[2], l[3]])) l = [leaf, llm, s.end, s.id, s.outputPreview];
    a[0] = maxStr(a[0], s.service);
    a[1] = maxStr(a[1], s.environment);
    a[2] = maxStr(a[2], s.promptVersion);
    a[3] = maxStr(a[3], s.session);
    a[4] = maxStr(a[4], s.user);
    if (s.model !== null) {
      const m = o.get(s.model);
      if (!m) o.set(s.model, [s.model, llm, s.start]);
      else {
        if (llm) m[1] = 1;
        if (s.start < m[2]) m[2] = s.start;
      }
    }
    for (const tag of s.tags) g.add(tag);
  }
  const next: TraceState = {
    c,
    t,
    u,
    m: [...models].map(([id, m]) => [id, m.parent, m.leaf]),
    r: r!,
    f: f!,
    l: l!,
    a,
    o: [...o.values()].sort(modelOrder),
    g: [...g].sort(),
  };
  return { state: next, added, recompute };
}

/** Models as the row lists them: those seen on an llm span first, then by first use, then by name. */
function modelOrder(x: TraceState['o'][number], y: TraceState['o'][number]): number {
  return y[1] - x[1] || x[2] - y[2] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
}

/** The span-derived columns of the trace row a state stands for. */
export function traceRow(s: TraceState): TraceRowValues {
  const models = [...s.o].sort(modelOrder).map((m) => m[0]);
  const [n, errors, oks, retries, redactions] = s.c;
  const [calls, input, output, total, cost] = s.u;
  const r = s.r;
  return {
    name: r[3],
    service: r[4] ?? s.a[0],
    environment: r[5] ?? s.a[1],
    model: s.f[0] ? s.f[4] : (r[6] ?? models[0] ?? null),
    models,
    promptVersion: r[7] ?? s.a[2],
    status: errors > 0 ? 'error' : oks > 0 ? 'ok' : 'unset',
    errorCount: errors,
    retryCount: retries,
    llmCallCount: calls,
    spanCount: n,
    startMs: s.t[0],
    endMs: s.t[1],
    durationMs: s.t[1] - s.t[0],
    inputTokens: input,
    outputTokens: output,
    totalTokens: Math.max(total, input + output),
    costUsd: cost,
    sessionId: r[8] ?? s.a[3],
    userId: r[9] ?? s.a[4],
    tags: s.g,
    inputPreview: r[10] ?? s.f[5],
    outputPreview: r[11] ?? s.l[4],
    redactions,
  };
}
