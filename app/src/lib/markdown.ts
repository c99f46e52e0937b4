/**
 * A safe subset of Markdown for queue guidelines: headings, paragraphs, lists, quotes, rules, fenced
 * code, and inline code, bold, italic and links. Every character of the input is HTML-escaped before
 * any markup is added, and links only go to http(s), mailto or this site, so the result can be given
 * to `{@html}`. Anything else reads as the plain text it is.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Schemes a guideline link may use; checked on the escaped text, which cannot close the attribute. */
const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;
const HOLE = '\u0000';

function inline(text: string): string {
  const held: string[] = [];
  const hold = (html: string) => `${HOLE}${held.push(html) - 1}${HOLE}`;
  let s = text.replace(/`([^`]+)`/g, (_, code: string) => hold(`<code>${escapeHtml(code)}</code>`));
  s = escapeHtml(s);
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) =>
    SAFE_URL.test(url) ? hold(`<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`) : whole,
  );
  s = s.replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>').replace(/__(?=\S)(.+?)__/g, '<strong>$1</strong>');
  s = s.replace(/\*(?=[^\s*])([^*]+?)\*/g, '<em>$1</em>').replace(/(^|[^\w])_(?=\S)([^_]+?)_(?!\w)/g, '$1<em>$2</em>');
  return s.replace(new RegExp(`${HOLE}(\\d+)${HOLE}`, 'g'), (_, i: string) => held[Number(i)]);
}

type Block = { kind: 'p' | 'quote'; lines: string[] } | { kind: 'list'; tag: 'ul' | 'ol'; items: string[] };

function blockHtml(b: Block): string {
  if (b.kind === 'list') return `<${b.tag}>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${b.tag}>`;
  const tag = b.kind === 'quote' ? 'blockquote' : 'p';
  return `<${tag}>${b.lines.map(inline).join('<br>')}</${tag}>`;
}

/** Renders guidelines to HTML that is safe to insert (see above). */
export function renderMarkdown(source: string): string {
  const lines = source.replaceAll(HOLE, '').replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  // Held in an object: TypeScript does not follow a `let` that a closure resets.
  const open: { block: Block | null } = { block: null };
  const flush = () => {
    if (open.block) out.push(blockHtml(open.block));
    open.block = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const block = open.block;
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i].trimStart().startsWith(fence[1])) code.push(lines[i]);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1].length + 2);
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      out.push('<hr>');
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d{1,9}[.)]\s+(.*)$/.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const tag = bullet ? 'ul' : 'ol';
      if (block?.kind === 'list' && block.tag === tag) block.items.push(item[1]);
      else {
        flush();
        open.block = { kind: 'list', tag, items: [item[1]] };
      }
      continue;
    }
    const quote = /^\s*>\s?(.*)$/.exec(line);
    if (quote) {
      if (block?.kind === 'quote') block.lines.push(quote[1]);
      else {
        flush();
        open.block = { kind: 'quote', lines: [quote[1]] };
      }
      continue;
    }
    // A lazy continuation of a list item, as in most Markdown.
    if (block?.kind === 'list' && /^\s{2,}\S/.test(line)) {
      block.items[block.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    if (block?.kind === 'p') block.lines.push(line.trim());
    else {
      flush();
      open.block = { kind: 'p', lines: [line.trim()] };
    }
  }
  flush();
  return out.join('\n');
}
