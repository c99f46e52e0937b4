import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AnnotationQueue } from '../../../worker/queues/annotation-queue';
import { claim, makeQueue, queueProject, reviewers, stubOf, submit } from './fixtures';
import { shardOf } from '../helpers';

const REVIEWERS = 20;
const ITEMS = 500;
const PER_ITEM = 2;

describe('POST /api/v1/queues/:queueId/claim under load', () => {
  it(`${REVIEWERS} reviewers × ${ITEMS} items × ${PER_ITEM} reviews, all in parallel: every review lands once`, async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: PER_ITEM }, ITEMS);
    const people = await reviewers(p.projectId, REVIEWERS);
    const claims: { itemId: string; slot: number; reviewerId: string }[] = [];
    const failures: string[] = [];

    await Promise.all(
      people.map(async (r) => {
        for (;;) {
          const c = await claim(queueId, r);
          if (c.status !== 200) return void failures.push(`claim ${c.status} ${c.text}`);
          if (!c.body.item) return;
          claims.push({ itemId: c.body.item.itemId, slot: c.body.item.slot, reviewerId: r.userId });
          const s = await submit(queueId, c.body.item.itemId, r, { verdict: claims.length % 3 ? 'pass' : 'fail' });
          if (s.status !== 200) return void failures.push(`submit ${s.status} ${s.text}`);
        }
      }),
    );

    expect(failures).toEqual([]);
    expect(claims).toHaveLength(ITEMS * PER_ITEM);
    // No (item, slot) was handed out twice, and no reviewer got an item twice.
    expect(new Set(claims.map((c) => `${c.itemId}/${c.slot}`)).size).toBe(ITEMS * PER_ITEM);
    expect(new Set(claims.map((c) => `${c.itemId}/${c.reviewerId}`)).size).toBe(ITEMS * PER_ITEM);

    const d1 = await (await shardOf(p.projectId)).prepare(
      `SELECT count(*) AS n, count(DISTINCT trace_id || '/' || reviewer_id) AS pairs, count(DISTINCT trace_id) AS items FROM annotations WHERE queue_id = ?`,
    ).bind(queueId).first<{ n: number; pairs: number; items: number }>();
    expect(d1).toEqual({ n: ITEMS * PER_ITEM, pairs: ITEMS * PER_ITEM, items: ITEMS });
    const perItem = await (await shardOf(p.projectId)).prepare(`SELECT DISTINCT count(*) AS n FROM annotations WHERE queue_id = ? GROUP BY trace_id`).bind(queueId).all<{ n: number }>();
    expect(perItem.results).toEqual([{ n: PER_ITEM }]);
    expect(new Set(traceIds)).toEqual(new Set(claims.map((c) => c.itemId)));

    const inObject = await runInDurableObject(stubOf(queueId), (_q: AnnotationQueue, state) => ({
      slotsHeldTwice: state.storage.sql.exec(`SELECT trace_id, slot FROM reviews WHERE slot IS NOT NULL GROUP BY trace_id, slot HAVING count(*) > 1`).toArray().length,
      notDone: state.storage.sql.exec(`SELECT count(*) AS n FROM items WHERE status <> 'done'`).one().n,
      outbox: state.storage.sql.exec(`SELECT count(*) AS n FROM outbox`).one().n,
    }));
    expect(inObject).toEqual({ slotsHeldTwice: 0, notDone: 0, outbox: 0 });
  }, 180_000);
});
