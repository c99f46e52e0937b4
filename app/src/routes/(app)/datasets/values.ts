/** How record values read in lists and dialogs. Pure. */

type Chat = { role: string; content: string }[];

function isChat(v: unknown): v is Chat {
  return Array.isArray(v) && v.length > 0 && v.every((m) => m && typeof m === 'object' && typeof m.role === 'string' && typeof m.content === 'string');
}

/** One line for a table cell: text as it is, a chat as `role: content · …`, other JSON compact. */
export function preview(v: unknown, max = 160): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : isChat(v) ? v.map((m) => `${m.role}: ${m.content}`).join(' · ') : JSON.stringify(v);
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The full value for reading or editing: text as it is, JSON pretty-printed. */
export function fullText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

/**
 * What an edited text box means: empty is null (for optional values); text that parses as a JSON
 * object or array is that JSON; anything else is the text.
 */
export function parseEdited(text: string): unknown {
  if (text === '') return null;
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      // text with a bracket
    }
  }
  return text;
}

/** `key:abc…` and user ids shortened for a column. */
export function who(addedBy: string | null): string {
  if (!addedBy) return '–';
  if (addedBy.startsWith('key:')) return `API key ${addedBy.slice(4, 12)}`;
  if (addedBy.startsWith('rule:')) return `automation ${addedBy.slice(5, 13)}`;
  return `user ${addedBy.slice(0, 8)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
