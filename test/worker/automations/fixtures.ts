import type { EvalSignal, TraceSnapshot } from '../../../worker/automations/snapshot';

/** Overrides for `snap`: evaluations and span attributes as plain records, for readable tests. */
export type SnapInput = Partial<Omit<TraceSnapshot, 'evaluations' | 'spanAttributes' | 'feedback'>> & {
  evaluations?: Record<string, { score?: number | null; labels?: string[] }>;
  spanAttributes?: Record<string, string[]>;
  feedback?: Partial<TraceSnapshot['feedback']>;
};

let seq = 0;

/** A plain successful trace with no signals, changed by `o`. */
export function snap(o: SnapInput = {}): TraceSnapshot {
  const evaluations = new Map<string, EvalSignal>(
    Object.entries(o.evaluations ?? {}).map(([name, e]) => [name, { score: e.score ?? null, labels: e.labels ?? [] }]),
  );
  return {
    traceId: (++seq).toString(16).padStart(32, '0'),
    status: 'ok',
    errorCount: 0,
    retryCount: 0,
    durationMs: 1200,
    inputTokens: 80,
    outputTokens: 20,
    totalTokens: 100,
    costUsd: 0.002,
    model: 'gpt-4o-mini',
    models: ['gpt-4o-mini'],
    service: 'support-bot',
    environment: 'production',
    promptVersion: 'v1',
    tags: [],
    sessionId: null,
    userId: null,
    inputPreview: 'What is the refund policy?',
    outputPreview: 'Refunds within 30 days.',
    startMs: 1_750_000_000_000,
    ...o,
    evaluations,
    feedback: { count: 0, thumbsUp: 0, thumbsDown: 0, positive: 0, neutral: 0, negative: 0, minRating: null, maxRating: null, ...o.feedback },
    spanAttributes: new Map(Object.entries(o.spanAttributes ?? {})),
  };
}
