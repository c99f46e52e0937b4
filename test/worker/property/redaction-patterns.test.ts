import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRedaction } from '../../../worker/ingest/redact';
import { patternProblem, RedactionConfig } from '../../../worker/schemas/projects';

/**
 * Issue #18.2: random patterns from a grammar with nested and alternated quantifiers — the shapes
 * behind catastrophic backtracking — are either refused or compiled and run over adversarial strings
 * within a fixed time budget. A backtracking engine takes seconds to years on many of them.
 */
const atom = fc.constantFrom('a', 'b', '.', '[ab]', '\\d', 'a?', '\\w', '(?:a|a)', '(?:a|ab)');
const quant = fc.constantFrom('*', '+', '?', '{1,3}', '{2,}', '{0,5}', '+?', '*?');
const { pattern } = fc.letrec<{ pattern: string }>((tie) => ({
  pattern: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('pattern'), quant).map(([p, q]) => `(?:${p})${q}`),
    fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => `${a}${b}`),
    fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => `(${a}|${b})`),
    fc.tuple(tie('pattern'), quant, quant).map(([p, q1, q2]) => `((?:${p})${q1})${q2}`),
  ),
}));
const anchored = fc.tuple(pattern, fc.constantFrom('', '$', 'c', '!', '$|x')).map(([p, end]) => `${p}${end}`);

const ADVERSARIAL = [
  `${'a'.repeat(3000)}!`,
  `${'ab'.repeat(1500)}c`,
  `${'1'.repeat(3000)}x`,
  `${'a'.repeat(1000)}${'b'.repeat(1000)}${'a'.repeat(1000)}`,
  `${'a '.repeat(1500)}!`,
];

/** Per pattern, for all the adversarial strings together (3,000 characters each). */
const BUDGET_MS = 1500;

describe('custom redaction patterns (property)', () => {
  it('refuses or runs every generated pattern within the time budget', () => {
    let compiled = 0;
    fc.assert(
      fc.property(anchored, fc.boolean(), (p, ignoreCase) => {
        if (patternProblem(p, ignoreCase)) return;
        compiled++;
        const redactor = compileRedaction(RedactionConfig.parse({ customPatterns: [{ name: 'p', pattern: p, ignoreCase }] }));
        const start = performance.now();
        for (const s of ADVERSARIAL) {
          const out = redactor.text(s);
          expect(typeof out.text).toBe('string');
        }
        const ms = performance.now() - start;
        expect(ms, `${p} took ${ms.toFixed(0)} ms`).toBeLessThan(BUDGET_MS);
      }),
      { numRuns: 120, seed: 18 },
    );
    expect(compiled).toBeGreaterThan(30);
  });

  it('runs the patterns of issue #18 in linear time', () => {
    for (const p of ['(a|a)+$', '(.*a){12}$', '(?:a|a)*b', '(a+)+$']) {
      expect(patternProblem(p), p).toBeNull();
      const redactor = compileRedaction(RedactionConfig.parse({ customPatterns: [{ name: 'p', pattern: p }] }));
      const start = performance.now();
      redactor.text(`${'a'.repeat(28)}!`);
      redactor.text(`${'a'.repeat(20000)}!`);
      expect(performance.now() - start, p).toBeLessThan(1000);
    }
  });
});
