import { RE2JS } from 're2js';

/**
 * User-supplied regular expressions (custom redaction patterns) run on RE2 (the `re2js` port), whose
 * matching time is linear in the text: no pattern can backtrack exponentially. RE2 has no lookaround
 * and no backreferences; a pattern that uses them is refused with a message naming the construct.
 */

/**
 * Instructions a pattern may compile to. Counted repeats expand (`(a{1,30}){1,30}` is ~1,900), and
 * finding a match's bounds costs about this many steps per character scanned.
 */
export const MAX_PROGRAM_SIZE = 400;

/** Compiles a pattern for RE2; throws on syntax RE2 does not support. */
export function compileRe2(pattern: string, ignoreCase: boolean): RE2JS {
  return RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
}

const UNSUPPORTED: [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookaround ((?=…), (?!…), (?<=…), (?<!…)), which RE2 does not support'],
  [/\\[1-9]|\\k</, 'a backreference (\\1, \\k<name>), which RE2 does not support'],
  [/\(\?>/, 'an atomic group ((?>…)), which RE2 does not support'],
  [/[*+?}][+]/, 'a possessive quantifier (*+, ++, ?+), which RE2 does not support'],
];

/**
 * Why a pattern cannot run on RE2, or null: it must compile, stay under MAX_PROGRAM_SIZE, and not
 * match the empty string (a marker would land between characters).
 */
export function re2Problem(pattern: string, ignoreCase = false): string | null {
  let re: RE2JS;
  try {
    re = compileRe2(pattern, ignoreCase);
  } catch (err) {
    for (const [shape, what] of UNSUPPORTED) if (shape.test(pattern)) return `uses ${what}`;
    const detail = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return `is not valid RE2 syntax: ${detail}`;
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    return `is too large: it compiles to ${size} instructions (at most ${MAX_PROGRAM_SIZE}); counted repeats like {1,30} inside another repeat multiply`;
  }
  for (const sample of ['', ' ', 'a', 'Ab 12 x@y.z', '\n\t-_.']) {
    const m = re.matcher(sample);
    while (m.find()) if (m.end() === m.start()) return 'matches the empty string; it must match at least one character';
  }
  return null;
}
