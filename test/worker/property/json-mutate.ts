import fc from 'fast-check';
import { deepJsonText, hostileJson, hostileKey, hostileString, ownObject, PROTO_KEYS } from './arbitraries';

/**
 * Structure-aware mutation of valid JSON bodies: most random JSON fails validation at the top
 * level, while a valid body with one field replaced by something hostile reaches the code behind
 * the validation. The result is always JSON (what JSON.parse could return), "__proto__" included.
 */

type Path = (string | number)[];

/** Every place in `value` a mutation can go: the root, each array element and object property. */
export function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

/** A copy of `value` with the value at `path` replaced; keys are set as own data, never through a setter. */
export function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]): [string, unknown] => [k, k === head ? replaceAt(v, rest, replacement) : v]);
  return ownObject(entries);
}

export function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}

/** A copy with an extra own property at an object of `path` (or the root when that is not an object). */
export function addKeyAt(value: unknown, path: Path, key: string, extra: unknown): unknown {
  const target = valueAt(value, path);
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return value;
  return replaceAt(value, path, ownObject([...Object.entries(target), [key, extra]]));
}

/** Values of the wrong type or at the edge of a field's range, as senders get them wrong. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileJson },
  { weight: 2, arbitrary: fc.constantFrom(null, '', ' ', 0, -1, 1e300, -0, 0.5, '42', '-1', '1e3', 'true', 'null', '[]', '{}', [], {}, [[]], true, false) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((n) => 'f'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((n) => '0'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 53, -(2 ** 53) - 2, Number.MAX_VALUE, Number.MIN_VALUE) },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 50_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  // Past MAX_JSON_DEPTH; far deeper bodies are sent as text (walking them here would overflow this side's stack).
  { weight: 1, arbitrary: fc.integer({ min: 90, max: 400 }).map((d) => JSON.parse(deepJsonText(d, 'mixed')) as unknown) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS).map((k) => ownObject([[k, { polluted: 'yes' }]])) },
  // Names of prototype members where a key, a path or an id is expected.
  { weight: 1, arbitrary: fc.constantFrom<unknown>(...PROTO_KEYS, 'constructor.name', 'a.__proto__.b', 'gen_ai.input.messages.0.constructor') },
);

export interface Mutation {
  kind: 'replace' | 'addKey';
  pick: number;
  key: string;
  value: unknown;
}

/** One to three mutations, each at a place picked among all places of the body. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({
    kind: fc.constantFrom<'replace' | 'addKey'>('replace', 'replace', 'addKey'),
    pick: fc.nat(),
    key: fc.oneof(hostileKey, fc.constantFrom(...PROTO_KEYS)),
    value: fc.oneof(wrongValue, hostileString().map((s) => s as unknown)),
  }),
  { minLength: 1, maxLength: 3 },
);

export function applyMutations(value: unknown, list: Mutation[]): unknown {
  return list.reduce((v, m) => {
    const paths = pathsOf(v);
    const path = paths[m.pick % paths.length];
    return m.kind === 'replace' ? replaceAt(v, path, m.value) : addKeyAt(v, path, m.key, m.value);
  }, value);
}
