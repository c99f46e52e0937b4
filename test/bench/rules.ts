import { compileRule, type CompiledRule } from '../../worker/automations/compile';
import { decide } from '../../worker/automations/sample';
import type { EvalSignal, TraceSnapshot } from '../../worker/automations/snapshot';
import { Rule } from '../../worker/schemas/automations';
import { mulberry32 as rng } from '../../worker/cli/synth';


const SERVICES = ['support-bot', 'docs-rag', 'travel-agent', 'billing'];
const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4', 'gemini-2.5-flash', 'gpt-4o', 'claude-3-5-haiku'];
const TAGS = ['vip', 'beta', 'mobile', 'web', 'eu', 'us'];
const TOPICS = ['refund for my order', 'reset my password', 'flight to Lisbon', 'API rate limits', 'invoice copy', 'cancel subscription', 'change seat', 'upgrade plan'];
const TOOLS = ['web_search', 'sql_query', 'book_flight', 'send_email'];

/** Trace snapshots with the distributions of the explorer benchmark's seed (test/bench/seed-traces.ts), plus span attributes. */
function snapshots(count: number): TraceSnapshot[] {
  const r = rng(7);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  const now = Date.UTC(2025, 5, 1);
  return Array.from({ length: count }, (_, i) => {
    const errorCount = r() < 0.05 ? 1 + Math.floor(r() * 3) : 0;
    const model = MODELS[Math.floor(r() * MODELS.length)];
    const inputTokens = 200 + Math.floor(r() * 3000);
    const outputTokens = 20 + Math.floor(r() * 800);
    const topic = TOPICS[Math.floor(r() * TOPICS.length)];
    const thumbsUp = r() < 0.05 ? 1 : 0;
    const thumbsDown = !thumbsUp && r() < 0.03 ? 1 : 0;
    const sentiment = r() < 0.02 ? 'negative' : r() < 0.03 ? 'positive' : null;
    const rating = r() < 0.05 ? Math.ceil(r() * 5) / 5 : null;
    const evaluations = new Map<string, EvalSignal>();
    for (const [name, p] of [['faithfulness', 0.6], ['relevance', 0.4], ['toxicity', 0.2]] as const) {
      if (r() >= p) continue;
      const score = Math.round(r() ** 0.5 * 100) / 100;
      evaluations.set(name, { score, labels: [score < 0.5 ? 'fail' : 'pass'] });
    }
    const tool = TOOLS[Math.floor(r() * TOOLS.length)];
    return {
      traceId: hex(32),
      status: errorCount ? 'error' : 'ok',
      errorCount,
      retryCount: errorCount && r() < 0.5 ? 1 + Math.floor(r() * 3) : r() < 0.03 ? 1 : 0,
      durationMs: Math.floor(Math.exp(6.5 + r() * 2 + (r() < 0.05 ? 2 : 0))),
      inputTokens,
      outputTokens,
      totalTokens: inputTokens + outputTokens,
      costUsd: r() < 0.1 ? null : (inputTokens * 2.5 + outputTokens * 10) / 1e6,
      model,
      models: r() < 0.2 ? [model, 'text-embedding-3-small'] : [model],
      service: SERVICES[i % SERVICES.length],
      environment: r() < 0.8 ? 'production' : 'staging',
      promptVersion: `v${1 + Math.floor(r() * 4)}`,
      tags: TAGS.filter(() => r() < 0.15),
      sessionId: `sess-${Math.floor(r() * count / 3)}`,
      userId: `user-${Math.floor(r() * 5000)}`,
      inputPreview: `Customer asks about ${topic} (#${i})`,
      outputPreview: `Here is what I found about ${topic}.`,
      startMs: now - Math.floor(r() * 30 * 86_400_000),
      evaluations,
      feedback: {
        count: thumbsUp + thumbsDown + (rating === null ? 0 : 1) + (sentiment && !thumbsUp && !thumbsDown ? 1 : 0),
        thumbsUp, thumbsDown,
        positive: sentiment === 'positive' ? 1 : 0, neutral: 0, negative: sentiment === 'negative' ? 1 : 0,
        minRating: rating, maxRating: rating,
      },
      spanAttributes: new Map([['tool.name', [tool]], ['http.status_code', [errorCount ? '503' : '200']], ['gen_ai.system', [model.split('-')[0]]]]),
    };
  });
}

/** 100 rules from 20 realistic shapes, each in five variants (thresholds, models, services, rates). */
function rules(): Rule[] {
  const shapes: ((k: number) => unknown)[] = [
    (k) => ({ all: [{ environment: 'production', evals: [{ name: 'faithfulness', maxScore: 0.3 + k * 0.1 }] }] }),
    (k) => ({ all: [{ service: SERVICES[k % 4], feedback: { thumbs: 'down' } }] }),
    (k) => ({ any: [{ feedback: { sentiment: 'negative' } }, { feedback: { maxRating: 0.2 + k * 0.1 } }] }),
    (k) => ({ all: [{ hasError: true, minRetries: 1 + (k % 3) }] }),
    (k) => ({ all: [{ model: MODELS[k], minDurationMs: 2000 + k * 1000 }] }),
    (k) => ({ any: [{ minTokens: 2500 + k * 200 }, { minCost: 0.01 + k * 0.002 }] }),
    (k) => ({ all: [{ model: MODELS[k], service: SERVICES[k % 4], environment: 'production' }] }),
    (k) => ({ all: [{ tag: TAGS[k], feedback: { thumbs: 'up' } }] }),
    (k) => ({
      any: [
        { all: [{ evals: [{ name: 'faithfulness', maxScore: 0.5 }] }, { evals: [{ name: 'relevance', maxScore: 0.3 + k * 0.05 }] }] },
        { all: [{ feedback: { thumbs: 'down' } }, { any: [{ model: 'gpt-4o' }, { model: MODELS[k] }] }] },
      ],
    }),
    (k) => ({ all: [{ text: TOPICS[k].split(' ')[0], evals: [{ name: 'relevance', missing: true }] }] }),
    (k) => ({ all: [{ spanAttribute: { key: 'tool.name', op: 'equals', value: TOOLS[k % 4] } }, { hasError: true }] }),
    (k) => ({ all: [{ promptVersion: `v${1 + (k % 4)}`, evals: [{ name: 'relevance', label: 'fail' }] }] }),
    (k) => ({ all: [{ status: 'error', environment: k % 2 ? 'production' : 'staging' }] }),
    (k) => ({ all: [{ service: SERVICES[k % 4] }] }),
    (k) => ({ all: [{ evals: [{ name: 'toxicity', minScore: 0.9 - k * 0.05 }] }, { any: [{ tag: 'vip' }, { tag: TAGS[k] }] }] }),
    (k) => ({ all: [{ maxDurationMs: 800 + k * 100, evals: [{ name: 'faithfulness', minScore: 0.9 }] }, { spanAttribute: { key: 'gen_ai.system', op: 'contains', value: 'CLAUDE' } }] }),
    (k) => ({ any: [{ hasError: true }, { minRetries: 1 }, { feedback: { thumbs: 'down' } }, { evals: [{ name: 'toxicity', minScore: 0.95 - k * 0.01 }] }] }),
    (k) => ({ all: [{ model: 'text-embedding-3-small', minTokens: 3000 - k * 100 }] }),
    (k) => ({ all: [{ any: [{ environment: 'staging' }, { tag: 'beta' }] }, { any: [{ evals: [{ name: 'faithfulness', maxScore: 0.4 }] }, { text: 'password' }] }, { service: SERVICES[k % 4] }] }),
    (k) => ({ all: [{ feedback: { minRating: 0.8 - k * 0.1 }, evals: [{ name: 'faithfulness', maxScore: 0.6 }] }] }),
  ];
  const samplings = [
    { rate: 1 },
    { rate: 0.1 },
    { rate: 0.5 },
    { strata: [{ when: { all: [{ feedback: { thumbs: 'down' } }] }, rate: 1 }], otherwise: 0.2 },
    { strata: [{ when: { all: [{ hasError: true }] }, rate: 1 }, { when: { all: [{ tag: 'vip' }] }, rate: 0.5 }], otherwise: 0.05 },
  ];
  return shapes.flatMap((shape, s) =>
    [0, 1, 2, 3, 4].map((k) =>
      Rule.parse({
        id: `rule_${s}_${k}`, version: 1, name: `shape ${s} variant ${k}`, enabled: true, condition: shape(k),
        sampling: samplings[(s + k) % samplings.length], actions: [{ type: 'queue', queueId: `q${s}` }],
        ...(k === 4 ? { quota: { max: 500, per: 'day' } } : {}),
      }),
    ),
  );
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/**
 * Issue #7's rule-engine benchmark: 100 enabled rules against 100,000 trace snapshots in one
 * process, matching only and matching plus the sampling draw (`decide`). Runs in Node, whose V8 is
 * the engine workerd embeds, so closures compile and run the same; median of `rounds` passes.
 */
export function rulesBench(traceCount = 100_000, rounds = 5): void {
  const traces = snapshots(traceCount);
  const list = rules();
  const t0 = performance.now();
  const compiled: CompiledRule[] = list.map(compileRule);
  const compileMs = performance.now() - t0;
  const n = list.length;
  const pairs = traceCount * n;

  let matched = 0;
  let sampled = 0;
  let routedTraces = 0;
  const matchOnly = () => {
    let m = 0;
    for (let i = 0; i < traces.length; i++) for (let j = 0; j < n; j++) if (compiled[j](traces[i])) m++;
    return m;
  };
  const withSampling = () => {
    let s = 0;
    let routed = 0;
    for (let i = 0; i < traces.length; i++) {
      let any = false;
      for (let j = 0; j < n; j++) if (decide(list[j], compiled[j], traces[i]).sampled) (s++, (any = true));
      if (any) routed++;
    }
    routedTraces = routed;
    return s;
  };
  matchOnly();
  withSampling();
  const time = (f: () => number, set: (v: number) => void) =>
    median(Array.from({ length: rounds }, () => {
      const start = performance.now();
      set(f());
      return (performance.now() - start) / 1000;
    }));
  const tMatch = time(matchOnly, (v) => (matched = v));
  const tDecide = time(withSampling, (v) => (sampled = v));

  const fmtRate = (secs: number) => `${Math.round(pairs / secs).toLocaleString().padStart(12)} rule×trace evaluations/s   ${((secs / traceCount) * 1e6).toFixed(2).padStart(6)} µs per trace (all ${n} rules)`;
  console.log(`\n== rules (issue #7): ${n} enabled rules × ${traceCount.toLocaleString()} trace snapshots, one process ==`);
  console.log(`runtime: Node ${process.versions.node}, V8 ${process.versions.v8} (workerd runs the same engine, its own build of V8); median of ${rounds} passes after a warm-up pass`);
  console.log(`compile ${n} rules: ${compileMs.toFixed(2)} ms`);
  console.log(`match only:              ${fmtRate(tMatch)}`);
  console.log(`match + sample (decide): ${fmtRate(tDecide)}`);
  console.log(`pairs matched ${((matched / pairs) * 100).toFixed(2)} %, sampled ${((sampled / pairs) * 100).toFixed(2)} %; traces routed by at least one rule ${((routedTraces / traceCount) * 100).toFixed(1)} %`);
  const worst = pairs / Math.max(tMatch, tDecide);
  console.log(`slowest path: ${Math.round(worst).toLocaleString()} evaluations/s (goal ≥ 1,000,000) ${worst >= 1_000_000 ? '✓' : '✗'}`);
}
