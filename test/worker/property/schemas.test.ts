/// <reference types="vite/client" />
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_JSON_DEPTH } from '../../../worker/lib/validate';
import { LabelFields, valuesSchema } from '../../../worker/schemas/label-schemas';
import { assertPrototypesClean, check, hostileJson, hostileKey, hostileString, ownObject, PROTO_KEYS, runs } from './arbitraries';

/**
 * Every zod schema exported from worker/schemas/*.ts, found by enumerating the modules (a schema
 * added tomorrow is covered without touching this file): safeParse never throws whatever it is
 * given, and objects carrying prototype keys neither pollute a prototype nor come out with one.
 */

const modules = import.meta.glob('../../../worker/schemas/*.ts', { eager: true }) as Record<string, Record<string, unknown>>;

const schemas: [string, z.ZodType][] = Object.entries(modules).flatMap(([file, exports]) =>
  Object.entries(exports)
    .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
    .map(([name, schema]): [string, z.ZodType] => [`${file.split('/').pop()}:${name}`, schema]),
);

/** The object schema inside wrappers (optional, default, transform and preprocess pipes), if any. */
function innerObject(schema: z.ZodType): z.ZodObject | null {
  let s: unknown = schema;
  for (let i = 0; i < 10 && s instanceof z.ZodType; i++) {
    if (s instanceof z.ZodObject) return s;
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    s = def.innerType ?? (def.in instanceof z.ZodObject ? def.in : def.out);
  }
  return null;
}

const anything = fc.anything({
  key: hostileKey,
  values: [hostileString(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt()],
  maxDepth: 4,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
});

/** safeParse, failing the property on anything thrown (an async refinement would need safeParseAsync). */
function safeParse(schema: z.ZodType, value: unknown): z.ZodSafeParseResult<unknown> {
  return schema.safeParse(value);
}

/** No object in a parse result has a prototype that came from input: plain data or built-in classes only. */
function expectNoForeignPrototype(value: unknown, seen = new Set<unknown>(), path = 'data'): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  const builtin = proto === null || proto === Object.prototype || Object.hasOwn(proto, 'constructor');
  if (!builtin) throw new Error(`${path} has a prototype taken from the input`);
  if (value instanceof Map || value instanceof Set) return;
  for (const [k, v] of Object.entries(value)) expectNoForeignPrototype(v, seen, `${path}.${k}`);
}

describe('every exported zod schema', () => {
  it('finds the schemas of every module', () => {
    expect(Object.keys(modules).length).toBeGreaterThanOrEqual(12);
    expect(schemas.length).toBeGreaterThanOrEqual(60);
    expect(schemas.filter(([, s]) => innerObject(s)).length).toBeGreaterThanOrEqual(30);
  });

  it('safeParse never throws, for any value', () => {
    check(
      fc.property(fc.constantFrom(...schemas), anything, ([name, schema], value) => {
        try {
          safeParse(schema, value);
        } catch (err) {
          throw new Error(`${name}.safeParse threw ${String(err)}`);
        }
        assertPrototypesClean();
      }),
      runs(0x5eed21, 3000),
    );
  }, 30_000);

  it('safeParse never throws on JSON as deep as a request body may be (MAX_JSON_DEPTH)', () => {
    // Deeper bodies are refused before any schema sees them: recursive schemas (z.json(), nested
    // rule conditions) would overflow the stack a few thousand levels down.
    const chain = (depth: number, wrap: (inner: unknown) => unknown): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < depth; i++) v = wrap(v);
      return v;
    };
    const depth = MAX_JSON_DEPTH - 4;
    const inner = [chain(depth, (v) => [v]), chain(depth, (v) => ({ a: v })), chain(depth, (v) => ({ all: [v] })), chain(depth, (v) => ({ any: [v], input: v }))];
    for (const [name, schema] of schemas) {
      for (const v of inner) {
        for (const body of [v, { input: v, values: v, metadata: { k: v }, condition: v, items: [v] }, { records: [{ input: v, metadata: { k: v } }] }]) {
          try {
            safeParse(schema, body);
          } catch (err) {
            throw new Error(`${name}.safeParse threw ${String(err)} on a value ${MAX_JSON_DEPTH} levels deep`);
          }
        }
      }
    }
  });

  it('objects with prototype keys at any depth neither pollute nor come out with a foreign prototype', () => {
    const objectSchemas = schemas.filter(([, s]) => innerObject(s));
    const pollutingValue = fc.oneof(
      fc.constant({ polluted: 'yes' }),
      fc.constant(JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown),
      fc.constant(JSON.parse('{"prototype":{"polluted":"yes"}}') as unknown),
      hostileJson,
    );
    const input = fc.tuple(fc.constantFrom(...objectSchemas), fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS), pollutingValue), { minLength: 1, maxLength: 3 }), hostileJson, fc.nat());
    check(
      fc.property(input, ([[name, schema], extra, filler, pick]) => {
        // Known keys with hostile values, plus prototype keys, the nested ones inside a known key.
        const keys = Object.keys(innerObject(schema)!.shape);
        const entries: [string, unknown][] = keys.map((k) => [k, filler]);
        const nested = keys.length ? keys[pick % keys.length] : null;
        if (nested) entries.push([nested, ownObject(extra)]);
        const value = ownObject([...entries, ...extra]);
        const result = safeParse(schema, value);
        assertPrototypesClean();
        if (result.success) expectNoForeignPrototype(result.data, new Set(), name);
      }),
      runs(0x5eed22, 3000),
    );
  }, 30_000);
});

describe('valuesSchema (answers to label fields)', () => {
  // Field keys as the schema allows them, names of Object.prototype members among them.
  const fieldKey = fc.oneof(fc.constantFrom('constructor', 'verdict', 'tostring', 'proto'), fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/));
  const field = fc.oneof(
    fc.record({ key: fieldKey, title: fc.constant('T'), type: fc.constant('pass_fail'), required: fc.boolean() }),
    fc.record({ key: fieldKey, title: fc.constant('T'), type: fc.constant('boolean'), required: fc.boolean() }),
    fc.record({ key: fieldKey, title: fc.constant('T'), type: fc.constant('text'), required: fc.boolean() }),
    fc.record({ key: fieldKey, title: fc.constant('T'), type: fc.constant('numeric'), min: fc.constant(0), max: fc.constant(10), required: fc.boolean() }),
    fc.record({
      key: fieldKey,
      title: fc.constant('T'),
      type: fc.constant('categorical'),
      multiple: fc.boolean(),
      options: fc.uniqueArray(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s.trim() === s && s.length > 0)), { minLength: 1, maxLength: 3 }).map((vs) => vs.map((value) => ({ value }))),
      required: fc.boolean(),
    }),
  );

  it('accepts an empty draft for any fields the schema editor accepts, and never throws', () => {
    check(
      fc.property(fc.array(field, { minLength: 1, maxLength: 4 }), anything, (raw, answers) => {
        const parsed = LabelFields.safeParse(raw);
        if (!parsed.success) return;
        const draft = valuesSchema(parsed.data, { partial: true });
        const empty = draft.safeParse({});
        expect(empty.success, `an empty draft for ${parsed.data.map((f) => f.key).join(', ')}: ${JSON.stringify(empty.error?.issues)}`).toBe(true);
        valuesSchema(parsed.data).safeParse(answers);
        draft.safeParse(answers);
        assertPrototypesClean();
      }),
      runs(0x5eed23, 1000),
    );
  }, 30_000);
});
