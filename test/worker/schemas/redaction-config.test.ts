import { describe, expect, it } from 'vitest';
import { patternProblem, RedactionConfig, RedactionPatch, UpdateProjectBody } from '../../../worker/schemas/projects';

describe('RedactionConfig', () => {
  it('defaults to secrets and card numbers on, emails and phone numbers off, no rules', () => {
    expect(RedactionConfig.parse({})).toEqual({
      detectors: { secrets: true, creditCard: true, email: false, phone: false },
      customPatterns: [],
      dropAttributes: [],
    });
    expect(RedactionConfig.parse({ detectors: { email: true } }).detectors).toEqual({ secrets: true, creditCard: true, email: true, phone: false });
  });

  it('rejects two custom patterns with the same name, and bad names', () => {
    const twice = RedactionConfig.safeParse({ customPatterns: [{ name: 'a', pattern: 'x' }, { name: 'a', pattern: 'y' }] });
    expect(twice.success).toBe(false);
    expect(RedactionConfig.safeParse({ customPatterns: [{ name: 'Has Space', pattern: 'x' }] }).success).toBe(false);
    expect(RedactionConfig.safeParse({ customPatterns: [{ name: 'ok_name-1', pattern: 'x' }] }).success).toBe(true);
  });

  it('accepts attribute keys and key prefixes ending in one *, nothing else', () => {
    expect(RedactionConfig.parse({ dropAttributes: [' http.request.header.cookie ', 'app.debug.*'] }).dropAttributes).toEqual([
      'http.request.header.cookie',
      'app.debug.*',
    ]);
    for (const bad of ['', '*', 'a*b', 'a**']) expect(RedactionConfig.safeParse({ dropAttributes: [bad] }).success, bad).toBe(false);
  });
});

describe('patternProblem', () => {
  it('accepts ordinary patterns', () => {
    for (const p of ['ORD-\\d{6}', '\\b[A-Z]{2}\\d{6}\\b', 'project\\s+falcon', '(\\d{1,3}\\.){3}\\d{1,3}', '[a-z]+@corp\\.com', 'a(?:b|c)+d']) {
      expect(patternProblem(p), p).toBeNull();
    }
  });

  it('rejects patterns that RE2 cannot compile, naming the construct', () => {
    expect(patternProblem('(unclosed')).toMatch(/not valid RE2 syntax: missing closing \)/);
    expect(patternProblem('[z-a]')).toMatch(/not valid RE2 syntax: invalid character class range/);
    expect(patternProblem('(?=a)b')).toMatch(/lookaround/);
    expect(patternProblem('(?<!x)y')).toMatch(/lookaround/);
    expect(patternProblem('(a)\\1')).toMatch(/backreference/);
    expect(patternProblem('(?>ab)')).toMatch(/atomic group/);
    expect(patternProblem('a++')).toMatch(/possessive/);
  });

  it('rejects patterns that can match the empty string', () => {
    for (const p of ['a*', '\\b', '(?:)', 'x?', '^', '\\s*']) expect(patternProblem(p), p).toMatch(/empty string/);
  });

  it('accepts the nested and alternated quantifiers of issue #18 (RE2 runs them in linear time), but not a blown-up program', () => {
    for (const p of ['(a|a)+$', '(.*a){12}$', '(?:a|a)*b', '(a+)+$', '(\\d+)*x', '(x+){2,}']) expect(patternProblem(p), p).toBeNull();
    expect(patternProblem('(a{1,30}){1,30}$')).toMatch(/too large: it compiles to \d+ instructions \(at most 400\)/);
  });

  it('surfaces in the schema as an issue on the pattern field', () => {
    const r = RedactionConfig.safeParse({ customPatterns: [{ name: 'bad', pattern: 'a*' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['customPatterns', 0, 'pattern']);
    expect(r.error!.issues[0].message).toMatch(/empty string/);
    expect(RedactionConfig.safeParse({ customPatterns: [{ name: 'long', pattern: 'a'.repeat(301) }] }).success).toBe(false);
  });
});

describe('UpdateProjectBody', () => {
  it('takes any of name, retention and redaction, and refuses an empty or unknown change', () => {
    expect(UpdateProjectBody.parse({ retentionDays: null })).toEqual({ retentionDays: null });
    expect(UpdateProjectBody.parse({ retentionDays: 90 })).toEqual({ retentionDays: 90 });
    for (const bad of [{}, { retentionDays: 0 }, { retentionDays: 3651 }, { retentionDays: 1.5 }, { retentionDays: '30' }, { retention: 30 }]) {
      expect(UpdateProjectBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('keeps a redaction change partial: only the fields sent', () => {
    expect(RedactionPatch.parse({ detectors: { email: true } })).toEqual({ detectors: { email: true } });
    expect(RedactionPatch.safeParse({ detectors: { emails: true } }).success).toBe(false);
    expect(RedactionPatch.safeParse({ detector: {} }).success).toBe(false);
  });
});
