import type { AttrValue, Attributes, NormalizedSpan } from '../otlp/types';
import type { RedactionConfig } from '../schemas/projects';
import { DETECTOR_RULES, isCardNumber, MIN_DETECTABLE_CHARS, SECRET_KEY, SECRET_KEY_IN_JSON, type DetectorRule } from './detectors';

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
}

type Rule = Omit<DetectorRule, 'detector'>;

interface Walk {
  count: number;
  counts?: Record<string, number>;
}

/** Compiles `config`; its patterns were validated by the RedactionConfig schema. */
export function compileRedaction(config: RedactionConfig): Redactor {
  const builtins: Rule[] = DETECTOR_RULES.filter((r) => config.detectors[r.detector]);
  // One pass of all built-in patterns at once decides whether a value needs the rule-by-rule pass;
  // almost none do. Case-insensitive, so it matches whenever any single rule would (every rule's
  // lookarounds already treat both cases alike).
  const anyBuiltin = builtins.length ? new RegExp(builtins.map((r) => `(?:${r.re.source})`).join('|'), 'i') : null;
  const custom: Rule[] = config.customPatterns.map((p) => ({ label: p.name, re: new RegExp(p.pattern, p.ignoreCase ? 'gi' : 'g') }));
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
  // Attribute keys repeat on every span; test each name once.
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

  function scan(text: string, w: Walk): string {
    if (text.length < minChars) return text;
    let out = text;
    if (anyBuiltin && text.length >= MIN_DETECTABLE_CHARS && anyBuiltin.test(text)) {
      for (const rule of builtins) out = applyRule(out, rule, w);
    }
    for (const rule of custom) out = applyRule(out, rule, w);
    return out;
  }

  /** Whether any rule could match; a JSON value is parsed only when one could. */
  function mightMatch(text: string): boolean {
    if (anyBuiltin?.test(text) || (secretKeys && SECRET_KEY_IN_JSON.test(text))) return true;
    return custom.some((r) => {
      r.re.lastIndex = 0;
      return r.re.test(text);
    });
  }

  function string(value: string, secretKey: boolean, w: Walk): string {
    if (secretKey && value !== '' && !isMarker(value)) return hit(w, 'secret');
    const c = value.charCodeAt(0);
    if ((c === 123 || c === 91) && value.length >= minChars && mightMatch(value) && isJson(value)) return jsonText(value, w);
    return scan(value, w);
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
    let changed = false;
    const out: [string, AttrValue][] = [];
    for (const [k, v] of Object.entries(attrs)) {
      const path = prefix + k;
      if (dropped(path)) {
        w.count++;
        changed = true;
        continue;
      }
      const r = value(v, path, isSecretKey(k), w);
      if (r !== v) changed = true;
      out.push([k, r]);
    }
    // fromEntries keeps a "__proto__" key as data, as the decoder did.
    return changed ? Object.fromEntries(out) : attrs;
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

  const noop = !builtins.length && !custom.length && !dropping && !secretKeys && !cards;
  return {
    noop,
    span(s) {
      if (noop) return { span: s, redactions: 0 };
      const w: Walk = { count: 0 };
      const name = scan(s.name, w);
      const message = s.status.message === undefined ? undefined : scan(s.status.message, w);
      const attrs = attributes(s.attributes, '', w);
      const events = s.events.map((e) => {
        const eventName = scan(e.name, w);
        const eventAttrs = attributes(e.attributes, '', w);
        return eventName === e.name && eventAttrs === e.attributes ? e : { ...e, name: eventName, attributes: eventAttrs };
      });
      const links = s.links.map((l) => {
        const linkAttrs = attributes(l.attributes, '', w);
        return linkAttrs === l.attributes ? l : { ...l, attributes: linkAttrs };
      });
      const res = resource(s.resource, w);
      const scopeAttrs = s.scope.attributes && attributes(s.scope.attributes, '', w);
      if (!w.count) return { span: s, redactions: 0 };
      const out: NormalizedSpan = {
        ...s,
        name,
        status: message === s.status.message ? s.status : { ...s.status, message },
        attributes: attrs,
        events,
        links,
        resource: res,
        scope: scopeAttrs === s.scope.attributes ? s.scope : { ...s.scope, attributes: scopeAttrs },
      };
      return { span: out, redactions: w.count };
    },
    text(text) {
      const w: Walk = { count: 0, counts: {} };
      return { text: string(text, false, w), counts: w.counts ?? {} };
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
