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

/** A trace as the explorer lists it: enough to tell what a careful reviewer would find. */
export interface JudgedTrace {
  traceId: string;
  scores: { name: string; score: number | null; label: string | null }[];
}

/** Answers to the starter schema (verdict + failure modes). */
export interface DemoLabels {
  verdict: 'pass' | 'fail';
  failure_modes: string[];
}

/**
 * What a careful reviewer finds, read back from the judge's signals (which follow each trace's planted
 * defect): unsupported claims, curt or padded tone, an off-topic or half answer.
 */
export function expectedLabels(t: JudgedTrace): DemoLabels {
  const score = (name: string) => t.scores.find((s) => s.name === name)?.score ?? null;
  const tone = t.scores.find((s) => s.name === 'tone')?.label ?? null;
  const faithfulness = score('faithfulness');
  const relevance = score('relevance');
  const modes: string[] = [];
  if (faithfulness !== null && faithfulness < 0.5) modes.push('hallucinated_reference');
  if (tone === 'curt') modes.push('tone_mismatch');
  else if (tone === 'verbose') modes.push('overly_verbose');
  else if (relevance !== null && relevance < 0.36) modes.push('irrelevant');
  else if (relevance !== null && relevance < 0.7) modes.push('incomplete_reasoning');
  return { verdict: modes.length ? 'fail' : 'pass', failure_modes: modes };
}

/** How likely a reviewer spots each failure mode, and what they add to a clean answer now and then. */
interface ReviewerStyle {
  spots: Record<string, number>;
  extra: { mode: string; rate: number };
  note: string;
}

/** A strict reviewer and a lenient one who shrugs at long answers and half answers: they disagree where real teams do. */
const STYLES: [ReviewerStyle, ReviewerStyle] = [
  {
    spots: { hallucinated_reference: 0.97, tone_mismatch: 0.9, overly_verbose: 0.9, irrelevant: 0.95, incomplete_reasoning: 0.9 },
    extra: { mode: 'overly_verbose', rate: 0.08 },
    note: 'Checked every claim against the retrieved context.',
  },
  {
    spots: { hallucinated_reference: 0.85, tone_mismatch: 0.6, overly_verbose: 0.35, irrelevant: 0.9, incomplete_reasoning: 0.55 },
    extra: { mode: 'incomplete_reasoning', rate: 0.03 },
    note: 'Long, but it answers the question.',
  },
];

function review(rng: () => number, truth: DemoLabels, style: ReviewerStyle): DemoLabels & { notes?: string } {
  const modes = truth.failure_modes.filter((m) => rng() < (style.spots[m] ?? 0.8));
  if (!truth.failure_modes.length && rng() < style.extra.rate) modes.push(style.extra.mode);
  const missedVerbose = truth.failure_modes.includes('overly_verbose') && !modes.includes('overly_verbose');
  return { verdict: modes.length ? 'fail' : 'pass', failure_modes: modes.sort(), ...(missedVerbose && rng() < 0.5 ? { notes: style.note } : {}) };
}

/**
 * Two demo reviewers' labels for each trace (seeded, so a given set of traces always gets the same
 * labels), next to what a careful reviewer would find, for the agreement page's first start.
 */
export function demoReviews(traces: JudgedTrace[], seed: number): { traceId: string; truth: DemoLabels; reviews: [DemoLabels & { notes?: string }, DemoLabels & { notes?: string }] }[] {
  const rng = mulberry32(seed);
  return traces.map((t) => {
    const truth = expectedLabels(t);
    return { traceId: t.traceId, truth, reviews: [review(rng, truth, STYLES[0]), review(rng, truth, STYLES[1])] };
  });
}
