import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSpans, traceRow, type SpanInfo, type TraceRowValues, type TraceState } from '../../../worker/data/trace-merge';
import { compactState, decodeState, encodeState, expandState } from '../../../worker/data/trace-state';

/**
 * The trace row as the pre-0013 SQL (RECOMPUTE_TRACES_SQL) defined it over all of a trace's spans,
 * written out directly: the oracle the incremental merge must match.
 */
function reference(spans: SpanInfo[]): TraceRowValues {
  const isModel = (s: SpanInfo) => s.kind === 'llm' || s.kind === 'embedding';
  const leaf = (s: SpanInfo) => isModel(s) && !spans.some((c) => c.parent === s.id && isModel(c));
  const cmp = (a: (number | string)[], b: (number | string)[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  };
  const best = (key: (s: SpanInfo) => (number | string)[]) => [...spans].sort((a, b) => cmp(key(a), key(b)))[0];
  const r = best((s) => [s.parent === null ? 0 : 1, s.start, s.id]);
  const f = best((s) => [leaf(s) ? 0 : 1, s.kind === 'llm' ? 0 : 1, s.start, s.id]);
  const l = best((s) => [leaf(s) ? 0 : 1, s.kind === 'llm' ? 0 : 1, -s.end, s.id]);
  const leaves = spans.filter(leaf);
  const sum = (k: 'inputTokens' | 'outputTokens' | 'totalTokens') => leaves.reduce((n, s) => n + (s[k] ?? 0), 0);
  const costs = leaves.filter((s) => s.cost !== null);
  const max = (k: 'service' | 'environment' | 'promptVersion' | 'session' | 'user') =>
    spans.map((s) => s[k]).filter((v): v is string => v !== null).sort().at(-1) ?? null;
  const modelNames = [...new Set(spans.map((s) => s.model).filter((m): m is string => m !== null))];
  const models = modelNames
    .map((m) => ({ m, llm: spans.some((s) => s.model === m && s.kind === 'llm') ? 1 : 0, start: Math.min(...spans.filter((s) => s.model === m).map((s) => s.start)) }))
    .sort((a, b) => b.llm - a.llm || a.start - b.start || (a.m < b.m ? -1 : 1))
    .map((x) => x.m);
  const errors = spans.filter((s) => s.status === 'error').length;
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  const input = sum('inputTokens');
  const output = sum('outputTokens');
  return {
    name: r.name,
    service: r.service ?? max('service'),
    environment: r.environment ?? max('environment'),
    model: leaf(f) ? f.model : (r.model ?? models[0] ?? null),
    models,
    promptVersion: r.promptVersion ?? max('promptVersion'),
    status: errors ? 'error' : spans.some((s) => s.status === 'ok') ? 'ok' : 'unset',
    errorCount: errors,
    retryCount: spans.filter((s) => s.retry).length,
    llmCallCount: leaves.length,
    spanCount: spans.length,
    startMs: start,
    endMs: end,
    durationMs: end - start,
    inputTokens: input,
    outputTokens: output,
    totalTokens: Math.max(sum('totalTokens'), input + output),
    costUsd: costs.length ? costs.reduce((n, s) => n + s.cost!, 0) : null,
    sessionId: r.session ?? max('session'),
    userId: r.user ?? max('user'),
    tags: [...new Set(spans.flatMap((s) => s.tags))].sort(),
    inputPreview: r.inputPreview ?? f.inputPreview,
    outputPreview: r.outputPreview ?? l.outputPreview,
    redactions: spans.reduce((n, s) => n + s.redactions, 0),
  };
}

const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const small = fc.constantFrom('a', 'b', 'c');

/** A trace of 1–12 spans whose parents point at earlier spans (or nowhere), with random fields. */
const traceArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        parentIndex: fc.option(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { nil: null }),
        orphanParent: fc.boolean(),
        name: small,
        kind: fc.constantFrom('llm', 'embedding', 'tool', 'agent', 'span'),
        start: fc.integer({ min: 0, max: 20 }),
        length: fc.integer({ min: 0, max: 20 }),
        status: fc.constantFrom('unset', 'ok', 'error'),
        service: maybe(small),
        environment: maybe(small),
        model: maybe(fc.constantFrom('gpt-4o', 'claude', 'gemini')),
        promptVersion: maybe(small),
        inputTokens: maybe(fc.integer({ min: 0, max: 100 })),
        outputTokens: maybe(fc.integer({ min: 0, max: 100 })),
        totalTokens: maybe(fc.integer({ min: 0, max: 300 })),
        cost: maybe(fc.integer({ min: 0, max: 100 }).map((c) => c / 8)),
        session: maybe(small),
        user: maybe(small),
        tags: fc.uniqueArray(small, { maxLength: 2 }),
        retry: fc.boolean(),
        inputPreview: maybe(small),
        outputPreview: maybe(small),
        redactions: fc.integer({ min: 0, max: 2 }),
      }),
    ),
  ).map((drafts) =>
    drafts.map((d, i): SpanInfo => {
      const { parentIndex, orphanParent, length, ...rest } = d;
      const id = (i + 1).toString(16).padStart(16, '0');
      const parent = i === 0 || parentIndex === null ? (orphanParent && i > 0 ? 'f'.repeat(16) : null) : (parentIndex + 1).toString(16).padStart(16, '0');
      return { ...rest, id, parent, end: d.start + length };
    }),
  ),
);

/** Merges batches one after another the way the index does, recomputing from every span stored so far when asked to. */
function mergeInBatches(batches: SpanInfo[][]): TraceState {
  let state: TraceState | null = null;
  let known = new Set<string>();
  const stored: SpanInfo[] = [];
  for (const batch of batches) {
    let r = mergeSpans(state, known, batch);
    if (r.recompute) {
      const redactions = (state?.c[4] ?? 0) + r.added.reduce((n, s) => n + s.redactions, 0);
      known = new Set();
      r = mergeSpans(null, known, [...stored, ...r.added]);
      r.state.c[4] = redactions;
    }
    stored.push(...r.added);
    state = r.state;
  }
  return state!;
}

describe('mergeSpans', () => {
  it('over all spans at once gives the row the old SQL recompute defined', () => {
    fc.assert(
      fc.property(traceArb, (spans) => {
        expect(traceRow(mergeSpans(null, new Set(), spans).state)).toEqual(reference(spans));
      }),
      { numRuns: 500, seed: 14 },
    );
  });

  it('gives the same row whatever the batches, their order and repeats', () => {
    const arb = traceArb.chain((spans) =>
      fc.tuple(
        fc.constant(spans),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: spans.length, maxLength: spans.length }),
        fc.array(fc.integer({ min: 0, max: spans.length - 1 }), { maxLength: 4 }),
        fc.array(fc.nat(), { minLength: spans.length, maxLength: spans.length }),
      ),
    );
    fc.assert(
      fc.property(arb, ([spans, batchOf, repeats, order]) => {
        const batches: SpanInfo[][] = [[], [], [], [], []];
        const shuffled = spans.map((s, i) => ({ s, k: order[i] })).sort((a, b) => a.k - b.k).map((x) => x.s);
        shuffled.forEach((s, i) => batches[batchOf[i]].push(s));
        repeats.forEach((i, j) => batches[(j + 2) % 5].push(spans[i]));
        expect(traceRow(mergeInBatches(batches.filter((b) => b.length)))).toEqual(reference(spans));
      }),
      { numRuns: 1000, seed: 1414 },
    );
  });

  it('asks for a recompute only when a stored leaf call gets a model child', () => {
    const span = (id: string, parent: string | null, kind: string, tokens: number): SpanInfo => ({
      id, parent, name: id, kind, start: 0, end: 1, status: 'ok', service: null, environment: null, model: 'm', promptVersion: null,
      inputTokens: tokens, outputTokens: 0, totalTokens: tokens, cost: null, session: null, user: null, tags: [], retry: false,
      inputPreview: null, outputPreview: null, redactions: 0,
    });
    const parent = span('1'.repeat(16), null, 'llm', 100);
    const child = span('2'.repeat(16), parent.id, 'llm', 60);
    // Child first: the parent is known to have a model child when it arrives.
    const known = new Set<string>();
    const first = mergeSpans(null, known, [child]);
    const second = mergeSpans(first.state, known, [parent]);
    expect([second.recompute, traceRow(second.state).inputTokens]).toEqual([false, 60]);
    // Parent first: its 100 tokens were counted and cannot be taken back from the state.
    const known2 = new Set<string>();
    const a = mergeSpans(null, known2, [parent]);
    expect(traceRow(a.state).inputTokens).toBe(100);
    expect(mergeSpans(a.state, known2, [child]).recompute).toBe(true);
  });
});

describe('compactState', () => {
  it('stores what the row does not say, and expands back to the same state', () => {
    fc.assert(
      fc.property(traceArb, (spans) => {
        const { state } = mergeSpans(null, new Set(), spans);
        const row = traceRow(state);
        const back = decodeState(encodeState(state, row), row);
        expect(expandState(compactState(state, row), row)).toEqual(state);
        for (const k of Object.keys(state) as (keyof typeof state)[]) expect(back[k], k).toEqual(state[k]);
      }),
      { numRuns: 500, seed: 1415 },
    );
  });
});
