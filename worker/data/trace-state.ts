import type { TraceRowValues, TraceState } from './trace-merge';

/**
 * The merge state as stored in trace_spans.state: only what the trace row's own columns do not
 * already say (most of a state is the row: counts, times, tokens, the root's fields, the previews).
 * Times are offsets from the row's start. `expandState(compactState(s, row), row)` gives `s` back.
 */
export interface CompactState {
  /** ok spans, raw total tokens of leaf calls */
  k: [oks: number, total: number];
  /** model spans as "<id><parent: 16 hex, '^' for the root span, '-' for none><0|1 leaf>", comma-separated */
  m: string;
  /** root: has parent, start offset, span id, bit mask of the row fields (ROOT_FIELDS) the root span itself has */
  r: [hasParent: 0 | 1, start: number, id: string, mask: number, model?: string];
  /** first call: leaf, llm, start offset, id, model (1: the row's model) and input preview (1: the row's) */
  f: [0 | 1, 0 | 1, number, string, string | null | 1, string | null | 1];
  /** last call: leaf, llm, end offset, id, output preview (1: the row's) */
  l: [0 | 1, 0 | 1, number, string, string | null | 1];
  /** greatest service, environment, prompt version, session, user over all spans (1: the row's value) */
  a: (string | null | 1)[];
  /** per model of the row's `models`, in that order: seen on an llm span, first start offset */
  o: [0 | 1, number][];
}

// ROOT_FIELDS, in mask bit order: service, environment, model, promptVersion, sessionId, userId, inputPreview, outputPreview.

const same = <T,>(value: T, column: T): T | 1 => (value === column ? 1 : value);
const back = <T,>(value: T | 1, column: T): T => (value === 1 ? column : value);

/** The stored form of `s`, whose row is `row` (traceRow(s)). */
export function compactState(s: TraceState, row: TraceRowValues): CompactState {
  const t0 = row.startMs;
  const [, , , , service, environment, model, promptVersion, session, user, input, output] = s.r;
  const rootValues = [service, environment, model, promptVersion, session, user, input, output];
  let mask = 0;
  rootValues.forEach((v, i) => {
    if (v !== null) mask |= 1 << i;
  });
  const r: CompactState['r'] = [s.r[0], s.r[1] - t0, s.r[2], mask];
  // The row's model is the first leaf call's when there is one, so the root's own may differ.
  if (model !== null && model !== row.model) r.push(model);
  const rowModelIndex = new Map(row.models.map((m, i) => [m, i]));
  const o: CompactState['o'] = new Array(row.models.length);
  for (const [name, llm, start] of s.o) o[rowModelIndex.get(name)!] = [llm, start - t0];
  return {
    k: [s.c[2], s.u[3]],
    m: s.m.map(([id, parent, leaf]) => `${id}${parent === null ? '-' : parent === s.r[2] ? '^' : parent}${leaf}`).join(','),
    r,
    f: [s.f[0], s.f[1], s.f[2] - t0, s.f[3], same(s.f[4], row.model), same(s.f[5], row.inputPreview)],
    l: [s.l[0], s.l[1], s.l[2] - t0, s.l[3], same(s.l[4], row.outputPreview)],
    a: [same(s.a[0], row.service), same(s.a[1], row.environment), same(s.a[2], row.promptVersion), same(s.a[3], row.sessionId), same(s.a[4], row.userId)],
    o,
  };
}

/** The full merge state from its stored form and the trace row's columns. */
export function expandState(c: CompactState, row: TraceRowValues): TraceState {
  const t0 = row.startMs;
  const rootHas = (i: number) => (c.r[3] & (1 << i)) !== 0;
  const rootValue = (i: number, column: string | null) => (rootHas(i) ? column : null);
  return {
    c: [row.spanCount, row.errorCount, c.k[0], row.retryCount, row.redactions],
    t: [row.startMs, row.endMs],
    u: [row.llmCallCount, row.inputTokens, row.outputTokens, c.k[1], row.costUsd],
    m: c.m === '' ? [] : c.m.split(',').map((e) => [e.slice(0, 16), e.length === 18 ? (e[16] === '^' ? c.r[2] : null) : e.slice(16, 32), e.endsWith('1') ? 1 : 0]),
    r: [
      c.r[0], c.r[1] + t0, c.r[2], row.name,
      rootValue(0, row.service), rootValue(1, row.environment), rootHas(2) ? (c.r[4] ?? row.model) : null, rootValue(3, row.promptVersion),
      rootValue(4, row.sessionId), rootValue(5, row.userId), rootValue(6, row.inputPreview), rootValue(7, row.outputPreview),
    ],
    f: [c.f[0], c.f[1], c.f[2] + t0, c.f[3], back(c.f[4], row.model), back(c.f[5], row.inputPreview)],
    l: [c.l[0], c.l[1], c.l[2] + t0, c.l[3], back(c.l[4], row.outputPreview)],
    a: [back(c.a[0], row.service), back(c.a[1], row.environment), back(c.a[2], row.promptVersion), back(c.a[3], row.sessionId), back(c.a[4], row.userId)],
    o: row.models.map((name, i) => [name, c.o[i][0], c.o[i][1] + t0]),
    g: row.tags,
  };
}

/** The stored text: the compact state as a positional array (no key names in every row). */
export function encodeState(s: TraceState, row: TraceRowValues): string {
  const c = compactState(s, row);
  return JSON.stringify([c.k, c.m, c.r, c.f, c.l, c.a, c.o]);
}

export function decodeState(text: string, row: TraceRowValues): TraceState {
  const [k, m, r, f, l, a, o] = JSON.parse(text) as [CompactState['k'], string, CompactState['r'], CompactState['f'], CompactState['l'], CompactState['a'], CompactState['o']];
  return expandState({ k, m, r, f, l, a, o }, row);
}
