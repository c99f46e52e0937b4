import { MAX_CONDITION_DEPTH, RuleCondition, type Condition, type SpanAttributeCondition } from '$shared/automations';
import type { TraceFilter } from '$shared/filters';

/**
 * A rule's condition as the editor holds it: groups with stable keys (for keyed lists), filter leaves
 * as filter objects (shown as the explorer's chips), span-attribute leaves as plain fields. Pure.
 */

export type GroupOp = 'all' | 'any';
export type AttrOp = SpanAttributeCondition['spanAttribute']['op'];

export interface EdGroup {
  type: 'group';
  key: number;
  op: GroupOp;
  children: EdNode[];
}
export interface EdFilter {
  type: 'filter';
  key: number;
  filter: TraceFilter;
}
export interface EdAttr {
  type: 'attr';
  key: number;
  attrKey: string;
  op: AttrOp;
  value: string;
}
export type EdNode = EdGroup | EdFilter | EdAttr;

let nextKey = 1;
const key = () => nextKey++;

export function newGroup(op: GroupOp = 'all', children: EdNode[] = []): EdGroup {
  return { type: 'group', key: key(), op, children };
}
export function newFilter(filter: TraceFilter): EdFilter {
  return { type: 'filter', key: key(), filter };
}
export function newAttr(): EdAttr {
  return { type: 'attr', key: key(), attrKey: '', op: 'equals', value: '' };
}

export { MAX_CONDITION_DEPTH };

const isGroup = (c: Condition): c is RuleCondition => 'all' in c || 'any' in c;

/** The editor's tree of a stored condition. */
export function toEditor(c: RuleCondition): EdGroup {
  const op: GroupOp = 'all' in c ? 'all' : 'any';
  const list = ('all' in c ? c.all : c.any) as Condition[];
  return newGroup(
    op,
    list.map((child): EdNode => {
      if (isGroup(child)) return toEditor(child);
      if ('spanAttribute' in child) {
        const a = (child as SpanAttributeCondition).spanAttribute;
        return { type: 'attr', key: key(), attrKey: a.key, op: a.op, value: a.value ?? '' };
      }
      return newFilter(child as TraceFilter);
    }),
  );
}

function build(g: EdGroup, root: boolean): { condition: RuleCondition } | { problem: string } {
  if (!g.children.length) return { problem: root ? 'Add at least one condition.' : 'A group needs at least one condition; remove the empty group.' };
  const out: Condition[] = [];
  for (const n of g.children) {
    if (n.type === 'group') {
      const r = build(n, false);
      if ('problem' in r) return r;
      out.push(r.condition);
    } else if (n.type === 'attr') {
      const k = n.attrKey.trim();
      if (!k) return { problem: 'A span attribute condition needs a key, e.g. gen_ai.request.model.' };
      if (n.op !== 'exists' && !n.value.trim()) return { problem: `Enter the value that span attribute “${k}” ${n.op === 'equals' ? 'equals' : 'contains'}.` };
      out.push({ spanAttribute: n.op === 'exists' ? { key: k, op: 'exists' } : { key: k, op: n.op, value: n.value.trim() } });
    } else {
      out.push(n.filter);
    }
  }
  return { condition: g.op === 'all' ? { all: out } : { any: out } };
}

/** The stored condition of the editor's tree, or what stops it from being one. */
export function fromEditor(g: EdGroup): { condition: RuleCondition } | { problem: string } {
  const r = build(g, true);
  if ('problem' in r) return r;
  // The API's own limits (depth, number of conditions), with its wording.
  const parsed = RuleCondition.safeParse(r.condition);
  if (!parsed.success) return { problem: parsed.error.issues.map((i) => i.message).join('; ') };
  return { condition: parsed.data };
}

/** How many leaves a tree has. */
export function leafCount(g: EdGroup): number {
  return g.children.reduce((n, c) => n + (c.type === 'group' ? leafCount(c) : 1), 0);
}

/** The wording between two conditions of a group. */
export const JOIN: Record<GroupOp, string> = { all: 'and', any: 'or' };
