import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../worker/automations/compile';
import { applyQuota, decide, quotaWindow, sampleUnit, type QuotaCounter } from '../../../worker/automations/sample';
import type { Rule } from '../../../worker/schemas/automations';
import { snap } from './fixtures';

/** Reproducible random trace ids (mulberry32), plus sequential ones: both shapes occur in practice. */
function traceIds(n: number, seed: number): string[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
  };
  return Array.from({ length: n }, () => next() + next() + next() + next());
}
const sequential = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(32, '0'));

const rule = (o: Partial<Rule>): Rule => ({
  id: 'r1', version: 1, name: 'r', enabled: true, condition: { all: [{}] }, sampling: { rate: 1 }, actions: [{ type: 'queue', queueId: 'q' }], ...o,
});

function observedRate(r: Rule, ids: string[]): number {
  const compiled = compileRule(r);
  return ids.filter((traceId) => decide(r, compiled, snap({ traceId })).sampled).length / ids.length;
}

describe('sampleUnit', () => {
  it('is fixed by (rule, trace) and lies in [0, 1)', () => {
    const u = sampleUnit('rule-1', 'abc');
    expect(sampleUnit('rule-1', 'abc')).toBe(u);
    expect(sampleUnit('rule-2', 'abc')).not.toBe(u);
    expect(sampleUnit('rule-1a', 'bc')).not.toBe(sampleUnit('rule-1', 'abc'));
    for (const id of traceIds(1000, 7)) expect(sampleUnit('r', id)).toSatisfy((x: number) => x >= 0 && x < 1);
  });

  it('pins known values, so a change of hash (which would flip stored decisions) fails here', () => {
    expect(sampleUnit('r1', '00000000000000000000000000000001')).toBe(0.9671016198117286);
    expect(sampleUnit('rule_low_faith', '4bf92f3577b34da6a3ce929d0e0e4736')).toBe(0.8969569515902549);
  });
});

describe('decide: rate', () => {
  it.each([0.1, 0.5])('samples %s of 10,000 matching traces within 0.02, random and sequential ids', (rate) => {
    expect(Math.abs(observedRate(rule({ sampling: { rate } }), traceIds(10_000, 42)) - rate)).toBeLessThan(0.02);
    expect(Math.abs(observedRate(rule({ sampling: { rate } }), sequential(10_000)) - rate)).toBeLessThan(0.02);
  });

  it('never flips a decision when the trace is re-checked, even after its signals change', () => {
    const r = rule({ sampling: { rate: 0.3 } });
    const compiled = compileRule(r);
    for (const traceId of traceIds(500, 3)) {
      const first = decide(r, compiled, snap({ traceId }));
      const again = decide(r, compileRule(r), snap({ traceId, feedback: { count: 1, thumbsDown: 1 }, durationMs: 99 }));
      expect(again.sampled).toBe(first.sampled);
    }
  });

  it('draws independently per rule', () => {
    const ids = traceIds(10_000, 11);
    const a = rule({ id: 'a', sampling: { rate: 0.5 } });
    const b = rule({ id: 'b', sampling: { rate: 0.5 } });
    const [ca, cb] = [compileRule(a), compileRule(b)];
    const both = ids.filter((traceId) => decide(a, ca, snap({ traceId })).sampled && decide(b, cb, snap({ traceId })).sampled).length;
    expect(Math.abs(both / ids.length - 0.25)).toBeLessThan(0.02);
  });

  it('rate 0 never samples, rate 1 always; a non-match is never sampled', () => {
    expect(observedRate(rule({ sampling: { rate: 0 } }), traceIds(1000, 5))).toBe(0);
    expect(observedRate(rule({ sampling: { rate: 1 } }), traceIds(1000, 5))).toBe(1);
    const r = rule({ condition: { all: [{ hasError: true }] } });
    expect(decide(r, compileRule(r), snap())).toEqual({ matched: false, sampled: false });
  });
});

describe('decide: strata', () => {
  const r = rule({
    sampling: {
      strata: [
        { when: { all: [{ feedback: { thumbs: 'down' } }] }, rate: 1 },
        { when: { any: [{ feedback: { thumbs: 'down' } }, { hasError: true }] }, rate: 0 },
      ],
      otherwise: 0.2,
    },
  });
  const compiled = compileRule(r);
  const ids = traceIds(10_000, 99);

  it('takes 100 % of thumbs-down (the first matching stratum wins over the second)', () => {
    const ds = ids.map((traceId) => decide(r, compiled, snap({ traceId, feedback: { count: 1, thumbsDown: 1 } })));
    expect(ds.every((d) => d.sampled && d.stratum === 0 && d.rate === 1)).toBe(true);
  });

  it('takes none of the errors and 20 % of the rest', () => {
    expect(ids.slice(0, 1000).some((traceId) => decide(r, compiled, snap({ traceId, errorCount: 1, status: 'error' })).sampled)).toBe(false);
    const rest = ids.map((traceId) => decide(r, compiled, snap({ traceId })));
    expect(rest.every((d) => d.stratum === -1 && d.rate === 0.2)).toBe(true);
    expect(Math.abs(rest.filter((d) => d.sampled).length / ids.length - 0.2)).toBeLessThan(0.02);
  });
});

describe('applyQuota', () => {
  const HOUR = 3_600_000;
  const t0 = Date.UTC(2025, 5, 1, 10, 0, 0);

  it('routes up to max per window, then counts the rest as over quota', () => {
    let counter: QuotaCounter | null = null;
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = applyQuota(counter, { max: 3, per: 'hour' }, t0 + i * 60_000);
      outcomes.push(r.outcome);
      counter = r.counter;
    }
    expect(outcomes).toEqual(['routed', 'routed', 'routed', 'overQuota', 'overQuota']);
    expect(counter).toEqual({ windowStart: t0, routed: 3, overQuota: 2 });
  });

  it('opens a new window on the UTC hour or day boundary', () => {
    const full = { windowStart: t0, routed: 3, overQuota: 4 };
    expect(applyQuota(full, { max: 3, per: 'hour' }, t0 + HOUR - 1).outcome).toBe('overQuota');
    expect(applyQuota(full, { max: 3, per: 'hour' }, t0 + HOUR)).toEqual({ outcome: 'routed', counter: { windowStart: t0 + HOUR, routed: 1, overQuota: 0 } });
    expect(quotaWindow('day', t0)).toEqual({ start: Date.UTC(2025, 5, 1), end: Date.UTC(2025, 5, 2) });
  });

  it('does not reopen a spent window for a clock that is behind', () => {
    const full = { windowStart: t0 + HOUR, routed: 3, overQuota: 0 };
    expect(applyQuota(full, { max: 3, per: 'hour' }, t0 + 10).outcome).toBe('overQuota');
  });

  it('without a quota always routes, counting per day', () => {
    expect(applyQuota({ windowStart: Date.UTC(2025, 5, 1), routed: 1e6, overQuota: 0 }, undefined, t0)).toEqual({
      outcome: 'routed',
      counter: { windowStart: Date.UTC(2025, 5, 1), routed: 1e6 + 1, overQuota: 0 },
    });
  });
});
