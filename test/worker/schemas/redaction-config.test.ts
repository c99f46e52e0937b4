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

  it('rejects patterns that do not compile', () => {
    expect(patternProblem('(unclosed')).toMatch(/does not compile/);
    expect(patternProblem('[z-a]')).toMatch(/does not compile/);
  });

  it('rejects patterns that can match the empty string', () => {
    for (const p of ['a*', '\\b', '(?:)', 'x?', '^', '(?=a)', '\\s*']) expect(patternProblem(p), p).toMatch(/empty string/);
  });

  it('rejects nested unbounded quantifiers', () => {
    for (const p of ['(a+)+', '(\\d+)*x', '(?:\\s*[a-z]+)+$', '((ab)*c)+', '(x+){2,}']) expect(patternProblem(p), p).toMatch(/nests unbounded/);
    // Escaped parentheses and quantifiers in a class are not groups or quantifiers.
    expect(patternProblem('\\(a+\\)+')).toBeNull();
    expect(patternProblem('([+*]a)+')).toBeNull();
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
