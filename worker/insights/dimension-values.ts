import { Dimension, type DimensionsResponse, type DimensionValues } from '../schemas/insights-segments';
import type { Where } from './segments';
import { DIMENSION_COLUMN } from './segments';

/** Values listed per dimension; the pickers of the compare page need no more. */
export const MAX_VALUES = 100;

/**
 * The values of every dimension on the traces `where` selects, with how many traces have each and how
 * many of those were reviewed (so a picker can offer the segments that have labels). One batch of five
 * grouped scans; traces without a value (or without tags) are counted in `none`.
 */
export async function dimensionValues(d1: D1Database, projectId: string, where: Where, queueId?: string): Promise<DimensionsResponse['dimensions']> {
  const queue = queueId === undefined ? '' : ' AND queue_id = ?';
  const queueArgs = queueId === undefined ? [] : [queueId];
  const reviewed = `WITH reviewed(trace_id) AS (
    SELECT trace_id FROM annotations WHERE project_id = ?${queue}
    UNION SELECT trace_id FROM adjudications WHERE project_id = ?${queue})`;
  const reviewedArgs = [projectId, ...queueArgs, projectId, ...queueArgs];
  const dims = Dimension.options;
  const statements = dims.map((d) => {
    const [from, value] = d === 'tag' ? ['traces t LEFT JOIN json_each(t.tags) g', 'g.value'] : ['traces t', DIMENSION_COLUMN[d]];
    return d1
      .prepare(
        `${reviewed}
         SELECT ${value} AS value, COUNT(*) AS traces, SUM(t.trace_id IN reviewed) AS labeled
         FROM ${from} WHERE ${where.sql}
         GROUP BY ${value} ORDER BY ${value} IS NULL DESC, labeled DESC, traces DESC, ${value} LIMIT ?`,
      )
      .bind(...reviewedArgs, ...where.args, MAX_VALUES + 2);
  });
  const results = await d1.batch<{ value: string | null; traces: number; labeled: number }>(statements);
  const out = {} as DimensionsResponse['dimensions'];
  dims.forEach((d, i) => {
    const rows = results[i].results;
    const none = rows.find((r) => r.value === null);
    const values = rows.filter((r) => r.value !== null).map((r) => ({ value: String(r.value), traces: r.traces, labeled: r.labeled ?? 0 }));
    const list: DimensionValues = {
      values: values.slice(0, MAX_VALUES),
      none: { traces: none?.traces ?? 0, labeled: none?.labeled ?? 0 },
      truncated: values.length > MAX_VALUES,
    };
    out[d] = list;
  });
  return out;
}
