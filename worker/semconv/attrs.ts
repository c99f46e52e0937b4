/**
 * Attribute lookups go through a Map: keys such as "constructor" or "__proto__" are then
 * plain data, and a lookup never falls through to Object.prototype.
 */
export type Bag = ReadonlyMap<string, unknown>;

export function bagOf(attrs: unknown): Bag {
  return new Map(isRecord(attrs) ? Object.entries(attrs) : []);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `keys` whose value is a non-empty string or a finite number (ids are often numeric). */
export function str(bag: Bag, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = bag.get(key);
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

/** The first of `keys` whose value is a finite number or a numeric string. */
export function num(bag: Bag, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const n = toNumber(bag.get(key));
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Like num, but only non-negative values count: a negative token count is noise, not data. */
export function count(bag: Bag, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const n = toNumber(bag.get(key));
    if (n !== undefined && n >= 0) return n;
  }
  return undefined;
}

/** The first of `keys` that is present and not null. */
export function first(bag: Bag, ...keys: string[]): unknown {
  for (const key of keys) {
    const v = bag.get(key);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Un-flattens indexed attributes: with prefix "gen_ai.prompt.", the keys "gen_ai.prompt.0.role"
 * and "gen_ai.prompt.0.content" become one bag {role, content}. Bags come back in index order;
 * gaps are skipped.
 */
export function indexedGroups(bag: Bag, prefix: string): Bag[] {
  const groups = new Map<number, Map<string, unknown>>();
  for (const [key, value] of bag) {
    if (!key.startsWith(prefix)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(prefix.length));
    if (!match) continue;
    const index = Number(match[1]);
    let group = groups.get(index);
    if (!group) groups.set(index, (group = new Map()));
    group.set(match[2], value);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, group]) => group);
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A string stays as it is; any other value is shown as JSON (tool arguments and results are often objects). */
export function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
