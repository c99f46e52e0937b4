import { Hono } from 'hono';

const app = new Hono<{ Bindings: Env }>();
app.get('/healthz', (c) => c.json({ ok: true }));

export default {
  fetch: app.fetch,
  async queue(batch) {
    for (const m of batch.messages) m.ack();
  },
} satisfies ExportedHandler<Env>;
