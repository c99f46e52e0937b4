import type { AttrValue, Attributes, NormalizedSpan } from '../otlp/types';
import type { RE2JS } from 're2js';
import { compileRe2 } from '../lib/re2-pattern';
import { RedactionDetector, type RedactionConfig } from '../schemas/projects';
import { decodedView, storedForm } from './decoded-forms';
import { DETECTOR_PREFILTERS, DETECTOR_RULES, isCardNumber, MIN_DETECTABLE_CHARS, SECRET_KEY, SECRET_KEY_IN_JSON, type DetectorRule } from './detectors';

/**
 * Redaction at ingest: a project's RedactionConfig compiled once into a Redactor that rewrites a
 * span before anything of it is stored. Pure (no I/O, no bindings), so the settings page runs the
 * same code in the browser for its "test against sample text" preview.
 */

/** What replaces a redacted value: `[REDACTED:email]`, `[REDACTED:secret]`, `[REDACTED:<pattern name>]`. */
export const marker = (label: string) => `[REDACTED:${label}]`;

export interface Redactor {
  /** True when the config can change nothing; ingest then skips the walk entirely. */
  readonly noop: boolean;
  /** Redacts one span; `redactions` counts replaced values and dropped attributes. */
  span(span: NormalizedSpan): { span: NormalizedSpan; redactions: number };
  /** Redacts free text (the settings preview), with how many matches each label had. */
  text(text: string): { text: string; counts: Record<string, number> };
  /** Redacts a JSON value (dataset records): strings as values, object keys as attribute keys. */
  json<T>(value: T): { value: T; redactions: number };
}

type Rule = Omit<DetectorRule, 'detector'>;

interface Walk {
  count: number;
  counts?: Record<string, number>;
}

/** A custom pattern on RE2 (linear time); `size` is its compiled size, the cost per character of finding matches. */
interface CustomRule {
  label: string;
  re: RE2JS;
  size: number;
}

/**
 * Steps of RE2 match-finding (characters × program size) a redactor may spend at once, refilled per
 * millisecond. A value a pattern matches (the cheap linear test says so) but whose matches would cost
 * more than what is left is replaced whole: redaction fails closed and ingest stays bounded.
 */
export const CUSTOM_FIND_BUDGET = { capacity: 8_000_000, perMs: 8_000 };

/** Compiles `config`; its patterns were validated by the RedactionConfig schema. */
export function compileRedaction(config: RedactionConfig): Redactor {
  const builtins: Rule[] = DETECTOR_RULES.filter((r) => config.detectors[r.detector]);
  const prefilters = RedactionDetector.options.filter((d) => config.detectors[d]).flatMap((d) => DETECTOR_PREFILTERS[d]);
  const secretsPrefilter = DETECTOR_PREFILTERS.secrets;
  // Past the prefilters, one pass of all built-in patterns at once decides whether a value needs the
  // rule-by-rule pass. Case-insensitive, so it matches whenever any single rule would (every rule's
  // lookarounds already treat both cases alike).
  const anyBuiltin = builtins.length ? new RegExp(builtins.map((r) => `(?:${r.re.source})`).join('|'), 'i') : null;
  const custom: CustomRule[] = config.customPatterns.map((p) => {
    const re = compileRe2(p.pattern, p.ignoreCase);
    return { label: p.name, re, size: re.programSize() };
  });
  // One linear pass of all custom patterns decides whether any of them needs to find its matches.
  const anyCustom = custom.length
    ? compileRe2(config.customPatterns.map((p) => `(?${p.ignoreCase ? 'i' : ''}:${p.pattern})`).join('|'), false)
    : null;
  let budget = CUSTOM_FIND_BUDGET.capacity;
  let budgetAt = Date.now();
  const spend = (cost: number): boolean => {
    const now = Date.now();
    if (now > budgetAt) {
      budget = Math.min(CUSTOM_FIND_BUDGET.capacity, budget + (now - budgetAt) * CUSTOM_FIND_BUDGET.perMs);
      budgetAt = now;
    }
    if (cost > budget) return false;
    budget -= cost;
    return true;
  };
  const secretKeys = config.detectors.secrets;
  const cards = config.detectors.creditCard;
  const dropExact = new Set<string>();
  const dropPrefixes: string[] = [];
  for (const d of config.dropAttributes) {
    if (d.endsWith('*')) dropPrefixes.push(d.slice(0, -1));
    else {
      dropExact.add(d);
      dropPrefixes.push(`${d}.`);
    }
  }
  const dropping = dropPrefixes.length > 0;
  const dropped = (key: string) => dropping && (dropExact.has(key) || dropPrefixes.some((p) => key.startsWith(p)));
  const minChars = custom.length ? 1 : MIN_DETECTABLE_CHARS;
  // Attribute keys repeat on every span; test and redact each name once.
  const secretKeyMemo = new Map<string, boolean>();
  const isSecretKey = (k: string): boolean => {
    if (!secretKeys) return false;
    let v = secretKeyMemo.get(k);
    if (v === undefined) {
      v = SECRET_KEY.test(k);
      if (secretKeyMemo.size < 10_000) secretKeyMemo.set(k, v);
    }
    return v;
  };
  const keyMemo = new Map<string, { key: string; hits: number }>();
  const redactKey = (k: string, w: Walk): string => {
    if (k.length < minChars) return k;
    let m = keyMemo.get(k);
    if (!m) {
      const kw: Walk = { count: 0 };
      m = { key: plain(k, kw), hits: kw.count };
      if (keyMemo.size < 10_000) keyMemo.set(k, m);
    }
    w.count += m.hits;
    return m.key;
  };

  const builtinMightMatch = (text: string): boolean =>
    anyBuiltin !== null && text.length >= MIN_DETECTABLE_CHARS && prefilters.some((p) => p.test(text)) && anyBuiltin.test(text);

  function scan(text: string, w: Walk, builtin = builtinMightMatch(text), customs = anyCustom?.test(text) ?? false): string {
    let out = text;
    if (builtin) for (const rule of builtins) out = applyRule(out, rule, w);
    if (customs) for (const rule of custom) out = applyCustom(out, rule, w);
    return out;
  }

  function applyCustom(text: string, rule: CustomRule, w: Walk): string {
    if (!rule.re.test(text)) return text;
    if (!spend(text.length * rule.size)) return hit(w, rule.label);
    const m = rule.re.matcher(text);
    let out = '';
    let last = 0;
    while (m.find()) {
      const start = m.start();
      const end = m.end();
      if (end === start) continue;
      out += text.slice(last, start) + hit(w, rule.label);
      last = end;
    }
    return last === 0 ? text : out + text.slice(last);
  }

  /** A value that is not JSON text (or is read as plain text): its direct and its decoded reading. */
  function plain(value: string, w: Walk): string {
    if (value.length < minChars) return value;
    const view = decodedView(value);
    if (!view) return scan(value, w);
    const out = scan(view.text, w);
    return out === view.text ? value : storedForm(view, out);
  }

  function string(value: string, secretKey: boolean, w: Walk): string {
    if (secretKey && value !== '' && !isMarker(value)) return hit(w, 'secret');
    if (value.length < minChars) return value;
    const c = value.charCodeAt(0);
    if (c !== 123 && c !== 91) return plain(value, w);
    // JSON text (GenAI messages, tool arguments) is parsed only when its decoded reading could match.
    const view = decodedView(value);
    const probe = view ? view.text : value;
    const builtin = builtinMightMatch(probe);
    const customs = anyCustom?.test(probe) ?? false;
    const secretInJson = secretKeys && (builtin || secretsPrefilter.some((p) => p.test(probe))) && SECRET_KEY_IN_JSON.test(probe);
    if (!builtin && !customs && !secretInJson) return value;
    if (isJson(value)) return jsonText(value, w);
    if (!view) return scan(value, w, builtin, customs);
    const out = scan(view.text, w, builtin, customs);
    return out === view.text ? value : storedForm(view, out);
  }

  /**
   * JSON-encoded values (GenAI messages, tool arguments) are redacted token by token in their text:
   * each string literal is redacted as a value (or, after a key like "password", replaced whole)
   * and written back as a literal, so the JSON stays valid, keys are seen, and everything
   * unredacted keeps its exact text (a parse and re-stringify would round integers past 2^53).
   */
  function jsonText(raw: string, w: Walk): string {
    let key: string | null = null;
    let valueAt = -1;
    return raw.replace(JSON_TOKEN, (token: string, offset: number) => {
      const keyed = key !== null && offset === valueAt ? key : null;
      key = null;
      if (token.charCodeAt(0) !== 34) {
        return cards && /^\d{13,19}$/.test(token) && isCardNumber(token) ? JSON.stringify(hit(w, 'credit_card')) : token;
      }
      const text = JSON.parse(token) as string;
      AFTER_KEY.lastIndex = offset + token.length;
      if (AFTER_KEY.test(raw)) {
        key = text;
        valueAt = AFTER_KEY.lastIndex;
        return token;
      }
      const out = string(text, keyed !== null && isSecretKey(keyed), w);
      return out === text ? token : JSON.stringify(out);
    });
  }

  function number(v: number, w: Walk): number | string {
    return cards && Number.isSafeInteger(v) && v >= 1e12 && isCardNumber(String(v)) ? hit(w, 'credit_card') : v;
  }

  function value(v: AttrValue, path: string, secretKey: boolean, w: Walk): AttrValue {
    if (typeof v === 'string') return string(v, secretKey, w);
    if (typeof v === 'number') return number(v, w);
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((x) => {
        const r = value(x, path, secretKey, w);
        if (r !== x) changed = true;
        return r;
      });
      return changed ? out : v;
    }
    if (v && typeof v === 'object') return attributes(v, `${path}.`, w);
    return v;
  }

  function attributes(attrs: Attributes, prefix: string, w: Walk): Attributes {
    // Nothing is allocated unless something changes: most attribute maps come back as they were.
    let out: [string, AttrValue][] | null = null;
    for (const k in attrs) {
      const v = attrs[k];
      const path = prefix === '' ? k : prefix + k;
      const drop = dropping && dropped(path);
      let key = k;
      let r = v;
      if (drop) w.count++;
      else {
        r = value(v, path, isSecretKey(k), w);
        key = redactKey(k, w);
      }
      if (!out && (drop || r !== v || key !== k)) {
        out = [];
        for (const before in attrs) {
          if (before === k) break;
          out.push([before, attrs[before]]);
        }
      }
      if (out && !drop) out.push([key, r]);
    }
    // fromEntries keeps a "__proto__" key as data, as the decoder did.
    return out ? Object.fromEntries(out) : attrs;
  }

  // A resource is shared by every span of its group: redact it once per object, count it per span.
  const resources = new WeakMap<Attributes, { attrs: Attributes; count: number }>();
  function resource(attrs: Attributes, w: Walk): Attributes {
    let r = resources.get(attrs);
    if (!r) {
      const rw: Walk = { count: 0 };
      r = { attrs: attributes(attrs, '', rw), count: rw.count };
      resources.set(attrs, r);
    }
    w.count += r.count;
    return r.attrs;
  }

  // An instrumentation scope is shared by the spans of its group, like a resource.
  const scopes = new WeakMap<NormalizedSpan['scope'], { scope: NormalizedSpan['scope']; count: number }>();
  function scopeOf(scope: NormalizedSpan['scope'], w: Walk): NormalizedSpan['scope'] {
    let r = scopes.get(scope);
    if (!r) {
      const sw: Walk = { count: 0 };
      const name = plain(scope.name, sw);
      const version = scope.version === undefined ? undefined : plain(scope.version, sw);
      const attrs = scope.attributes && attributes(scope.attributes, '', sw);
      const same = name === scope.name && version === scope.version && attrs === scope.attributes;
      r = { scope: same ? scope : { ...scope, name, ...(version === undefined ? {} : { version }), ...(attrs ? { attributes: attrs } : {}) }, count: sw.count };
      scopes.set(scope, r);
    }
    w.count += r.count;
    return r.scope;
  }

  const noop = !builtins.length && !custom.length && !dropping && !secretKeys && !cards;
  return {
    noop,
    span(s) {
      if (noop) return { span: s, redactions: 0 };
      const w: Walk = { count: 0 };
      const name = plain(s.name, w);
      const message = s.status.message === undefined ? undefined : plain(s.status.message, w);
      const attrs = attributes(s.attributes, '', w);
      const events = s.events.map((e) => {
        const eventName = plain(e.name, w);
        const eventAttrs = attributes(e.attributes, '', w);
        return eventName === e.name && eventAttrs === e.attributes ? e : { ...e, name: eventName, attributes: eventAttrs };
      });
      const links = s.links.map((l) => {
        const linkAttrs = attributes(l.attributes, '', w);
        return linkAttrs === l.attributes ? l : { ...l, attributes: linkAttrs };
      });
      const res = resource(s.resource, w);
      const scope = scopeOf(s.scope, w);
      if (!w.count) return { span: s, redactions: 0 };
      const out: NormalizedSpan = {
        ...s,
        name,
        status: message === s.status.message ? s.status : { ...s.status, message },
        attributes: attrs,
        events,
        links,
        resource: res,
        scope,
      };
      return { span: out, redactions: w.count };
    },
    text(text) {
      const w: Walk = { count: 0, counts: {} };
      return { text: string(text, false, w), counts: w.counts ?? {} };
    },
    json(v) {
      if (noop) return { value: v, redactions: 0 };
      const w: Walk = { count: 0 };
      const out = value(v as AttrValue, '', false, w);
      return { value: (w.count ? out : v) as typeof v, redactions: w.count };
    },
  };
}

function hit(w: Walk, label: string): string {
  w.count++;
  if (w.counts) w.counts[label] = (w.counts[label] ?? 0) + 1;
  return marker(label);
}

const isMarker = (s: string) => s.startsWith('[REDACTED:') && s.endsWith(']');

/** String literals and numbers of JSON text (structural characters and literals lie between them). */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
/** After a string literal: the colon that makes it an object key, and the space before its value. */
const AFTER_KEY = /\s*:\s*/y;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function applyRule(text: string, rule: Rule, w: Walk): string {
  rule.re.lastIndex = 0;
  return text.replace(rule.re, (...args: unknown[]) => {
    const match = args[0] as string;
    // An empty match would insert markers between characters; validation rejects such patterns.
    if (match === '') return match;
    const groups = groupsOf(args);
    if (rule.accept && !rule.accept(match, groups)) return match;
    const before = rule.keepBefore ? (groups[rule.keepBefore - 1] ?? '') : '';
    const after = rule.keepAfter ? (groups[rule.keepAfter - 1] ?? '') : '';
    return before + hit(w, rule.label) + after;
  });
}

/** The capture groups of a replace callback's arguments (after the match, before offset and input). */
function groupsOf(args: unknown[]): (string | undefined)[] {
  const named = typeof args[args.length - 1] === 'object';
  return args.slice(1, named ? -3 : -2) as (string | undefined)[];
}
