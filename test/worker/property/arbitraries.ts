import fc from 'fast-check';
import { call, makeProject } from '../helpers';

/**
 * Hostile values shared by the property tests: strings built from the characters that break
 * naive code (lone surrogates, bidi overrides, zero-width, astral, NUL, line separators), object
 * keys that reach prototypes, and JSON values made of both.
 */

/** Keys that name or reach Object.prototype, or shadow one of its methods. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'] as const;

const EDGE_CHARS = [
  '\u0000', '\u0007', '\n', '\r', '\t', '"', '\\', "'", '<', '%', '&',
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF', // lone surrogates
  '\u202E', '\u202D', '\u200F', '\u061C', // bidi overrides and marks
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', // zero-width
  '\u2028', '\u2029', '\u0301', '\uFFFD', '\uFFFF', '\uFFFE',
  '😀', '👩‍👩‍👧', '𝕏', '\u{10FFFF}', 'ש', 'ا', 'ﷺ', 'ß', 'İ',
];

/** One "character" of a hostile string: an edge case, any code point, or a lone surrogate. */
const hostileUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_CHARS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

export const hostileString = (maxLength = 24): fc.Arbitrary<string> => fc.string({ unit: hostileUnit, maxLength });

/** A key for an attribute, a JSON object or a label: prototype names, the empty string, hostile text. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a.b', 'service.name', 'gen_ai.input.messages', '__proto__.polluted', 'constructor.prototype.polluted') },
  { weight: 3, arbitrary: hostileString(12) },
);

/**
 * A JSON value (as JSON.parse would produce: `__proto__` stays an own key) built from hostile
 * keys and strings, numbers at the edges, and numbers written as strings.
 */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString(),
    fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e-308, '1', '-0', '1e999', 'NaN', '0x10', ''),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 5 }).map(ownObject),
  ),
})).value;

/** An object with these entries as own data properties, even for "__proto__" (as JSON.parse makes them). */
export function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** `depth` levels of arrays or objects around a leaf, as JSON text (no recursion, any depth). */
export function deepJsonText(depth: number, shape: 'array' | 'object' | 'mixed', leaf = '1'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const obj = shape === 'object' || (shape === 'mixed' && i % 2 === 1);
    open += obj ? '{"__proto__":' : '[';
    close = (obj ? '}' : ']') + close;
  }
  return open + leaf + close;
}

export const deepJson = fc.record({
  depth: fc.integer({ min: 500, max: 20_000 }),
  shape: fc.constantFrom<'array' | 'object' | 'mixed'>('array', 'object', 'mixed'),
});

/** A snapshot of Object.prototype, to prove no input added or changed anything on it. */
export function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).map((k) => {
    const d = Object.getOwnPropertyDescriptor(Object.prototype, k)!;
    return `${k}:${typeof d.value}:${String(d.get)}:${String(d.set)}`;
  });
}

const PRISTINE = prototypeSnapshot();

/** Throws when any input so far reached Object.prototype or Array.prototype. */
export function assertPrototypesClean(): void {
  const probe: Record<string, unknown> = {};
  if (probe.polluted !== undefined || ([] as unknown as Record<string, unknown>).polluted !== undefined) {
    throw new Error(`prototype polluted: ({}).polluted = ${String(probe.polluted)}`);
  }
  const now = prototypeSnapshot();
  if (now.join('\n') !== PRISTINE.join('\n')) {
    throw new Error(`Object.prototype changed: ${now.filter((k) => !PRISTINE.includes(k)).join(', ')}`);
  }
}

/** Each shrink step of an endpoint property is a round of requests; a bounded shrink keeps a failure quick to report. */
export const ENDPOINT_SHRINKS = 40;

/** Fixed seeds and run budgets: the same inputs on every run, a counterexample replays with its seed and path. */
export function runs<T = unknown>(seed: number, numRuns: number): fc.Parameters<T> {
  return { seed, numRuns };
}

/**
 * fc.assert, with the report made safe to carry: the test pool sends failures over a WebSocket
 * that refuses lone surrogates, and a counterexample is full of them. The seed and the shrunk
 * path stay at the top of the message, so `fc.assert(property, { seed, path })` replays it.
 */
export function check<Ts>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts>): void {
  try {
    fc.assert(property, params);
  } catch (err) {
    throw reportable(err);
  }
}

export async function checkAsync<Ts>(property: fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts>): Promise<void> {
  try {
    await fc.assert(property, params);
  } catch (err) {
    throw reportable(err);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function reportable(err: unknown): Error {
  let message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error ? err.cause : undefined;
  // The cause first: a long counterexample is cut below.
  if (cause) message = `${cause instanceof Error ? cause.message : String(cause)}\n${message}`;
  const safe = message.replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return new Error(safe.length > 6000 ? `${safe.slice(0, 6000)}… (${safe.length} chars)` : safe);
}

/**
 * Deep equality of JSON data, failing with a short message. Not vitest's toEqual: its diff of two
 * megabyte strings takes minutes, and the test pool cannot carry lone surrogates in a report.
 */
export function expectSameData(actual: unknown, expected: unknown, label: string): void {
  const where = firstDifference(actual, expected, label);
  if (where === null) return;
  const text = (v: unknown) => {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
  };
  throw new Error(`${where.path} differs:\n  actual   ${text(where.actual)}\n  expected ${text(where.expected)}`);
}

function firstDifference(a: unknown, b: unknown, path: string): { path: string; actual: unknown; expected: unknown } | null {
  if (Object.is(a, b)) return null;
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null;
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return { path, actual: a, expected: b };
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  if (ka.join('\u0000') !== kb.join('\u0000')) return { path: `${path} (keys)`, actual: ka, expected: kb };
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

/**
 * A fresh project with an admin key and redaction off, so what is read back must equal what was
 * sent (with the default rules, an int64 that passes the Luhn check reads back as a card marker).
 */
export async function makeVerbatimProject(): Promise<{ projectId: string; key: string }> {
  const project = await makeProject(['admin']);
  const off = { detectors: { secrets: false, creditCard: false, email: false, phone: false } };
  const res = await call('PATCH', `/api/v1/projects/${project.projectId}`, { key: project.key }, { redaction: off });
  if (res.status !== 200) throw new Error(`turning redaction off failed: ${res.status} ${res.text}`);
  return project;
}
