import { mulberry32, type GeneratedTrace } from './synth.ts';

/** Late signals for demo traces, consistent with each trace's planted defect (the ground truth). */
export interface DemoSignals {
  evaluations: Record<string, unknown>[];
  feedback: Record<string, unknown>[];
}

const COMPLAINTS: Record<string, string[]> = {
  hallucination: ['That policy section does not exist.', 'This is made up — there is no such flight.', 'Wrong information.'],
  curt: ['Rude and unhelpful.', 'That was a very short answer.', 'Not helpful at all.'],
  off_topic: ['This has nothing to do with my question.', 'Did you even read what I asked?'],
  incomplete: ['The answer stopped halfway.', 'Incomplete answer.'],
  verbose: ['Way too long, I just wanted a quick answer.'],
  none: ['Not what I needed.'],
  failed: ['It just errored out.', 'Nothing happened.'],
};

const THUMBS_DOWN_RATE: Record<string, number> = { hallucination: 0.5, curt: 0.4, off_topic: 0.45, incomplete: 0.35, verbose: 0.15, none: 0.03, failed: 0.3 };

/**
 * An LLM judge's `faithfulness` and `relevance` scores and a `tone` label on most successful
 * traces, and end-user thumbs, ratings and comments on some, correlated with the defects so that
 * filters like "faithfulness < 0.5" or "thumbs down" find the bad answers.
 */
export function demoSignals(traces: GeneratedTrace[], seed: number): DemoSignals {
  const rng = mulberry32(seed);
  const between = (lo: number, hi: number) => Math.round((lo + rng() * (hi - lo)) * 100) / 100;
  const pick = <T>(list: T[]) => list[Math.floor(rng() * list.length)];
  const evaluations: Record<string, unknown>[] = [];
  const feedback: Record<string, unknown>[] = [];
  for (const t of traces) {
    const judged = !t.failed && rng() < 0.75;
    if (judged) {
      const faithful = t.defect === 'hallucination' ? between(0.05, 0.4) : between(0.75, 1);
      evaluations.push({
        traceId: t.traceId,
        name: 'faithfulness',
        score: faithful,
        label: faithful < 0.5 ? 'fail' : 'pass',
        explanation: faithful < 0.5 ? 'The answer cites facts that are not in the retrieved context.' : 'Every claim is supported by the context.',
        evaluatorKind: 'llm',
        evaluatorVersion: 'judge-v2',
        timestamp: t.endMs + 60_000,
      });
      const relevant = t.defect === 'off_topic' ? between(0.05, 0.35) : t.defect === 'incomplete' ? between(0.4, 0.7) : between(0.7, 1);
      evaluations.push({ traceId: t.traceId, name: 'relevance', score: relevant, label: relevant < 0.5 ? 'fail' : 'pass', evaluatorKind: 'llm', evaluatorVersion: 'judge-v2', timestamp: t.endMs + 60_000 });
      const tone = t.defect === 'curt' ? 'curt' : t.defect === 'verbose' ? 'verbose' : 'appropriate';
      evaluations.push({ traceId: t.traceId, name: 'tone', label: tone, evaluatorKind: 'code', evaluatorVersion: 'v1', timestamp: t.endMs + 60_000 });
    }
    const key = t.failed ? 'failed' : t.defect;
    const at = t.endMs + Math.floor(rng() * 3 * 3600_000);
    if (rng() < THUMBS_DOWN_RATE[key]) {
      const commented = rng() < 0.6;
      feedback.push({
        traceId: t.traceId,
        kind: 'thumbs',
        value: 'down',
        ...(commented ? { comment: pick(COMPLAINTS[key]), sentiment: 'negative' } : {}),
        endUserId: `user-${Math.floor(rng() * 400)}`,
        timestamp: at,
      });
    } else if (key === 'none' && rng() < 0.12) {
      feedback.push({ traceId: t.traceId, kind: 'thumbs', value: 'up', sentiment: 'positive', endUserId: `user-${Math.floor(rng() * 400)}`, timestamp: at });
    }
    if (rng() < 0.08) {
      const stars = key === 'none' ? 4 + Math.round(rng()) : 1 + Math.round(rng() * 2);
      feedback.push({ traceId: t.traceId, kind: 'rating', value: stars, scale: 5, timestamp: at + 1000 });
    }
  }
  return { evaluations, feedback };
}
