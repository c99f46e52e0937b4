import type { SpanDetail } from '$lib/types';

export interface SpanRow {
  span: SpanDetail;
  depth: number;
  childCount: number;
  /** Position of the span on the trace timeline, in percent. */
  offsetPct: number;
  widthPct: number;
}

const t = (iso: string) => Date.parse(iso);

/**
 * Depth-first rows of the span tree, children by start time. Spans whose parent has not arrived (or is
 * outside the trace) are shown as roots; subtrees under `collapsed` ids are hidden.
 */
export function spanRows(spans: SpanDetail[], collapsed: ReadonlySet<string> = new Set()): SpanRow[] {
  if (spans.length === 0) return [];
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanDetail[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => t(a.startTime) - t(b.startTime));

  const start = Math.min(...spans.map((s) => t(s.startTime)));
  const end = Math.max(...spans.map((s) => t(s.endTime)));
  const total = Math.max(1, end - start);

  const rows: SpanRow[] = [];
  const visited = new Set<string>();
  const walk = (span: SpanDetail, depth: number) => {
    if (visited.has(span.spanId)) return; // a parent cycle in bad data
    visited.add(span.spanId);
    const kids = children.get(span.spanId) ?? [];
    rows.push({
      span,
      depth,
      childCount: kids.length,
      offsetPct: ((t(span.startTime) - start) / total) * 100,
      widthPct: Math.max(0.4, (Math.max(0, span.durationMs) / total) * 100),
    });
    if (!collapsed.has(span.spanId)) for (const k of kids) walk(k, depth + 1);
  };
  for (const root of children.get(null) ?? []) walk(root, 0);
  // Spans only reachable through a cycle still appear.
  for (const s of spans) if (!visited.has(s.spanId)) walk(s, 0);
  return rows;
}

/** The span to show first: the first LLM call in tree order, else the root. */
export function defaultSpanId(rows: SpanRow[]): string | null {
  return (rows.find((r) => r.span.llm.kind === 'llm') ?? rows[0])?.span.spanId ?? null;
}
