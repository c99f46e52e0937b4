import { Hono } from 'hono';
import { onError } from './lib/on-error';
import { csrf } from './middleware/csrf';
import type { AppEnv } from './middleware/auth';
import { handlePostIngest } from './queue/consumer';
import auth from './routes/auth';
import health from './routes/health';
import invites from './routes/invites';
import me from './routes/me';
import otlp from './routes/otlp';
import projects from './routes/projects';
import traces from './routes/traces';
import evaluations from './routes/evaluations';
import feedback from './routes/feedback';
import labelSchemas from './routes/label-schemas';
import queues from './routes/queues';
import datasets from './routes/datasets';
import automations from './routes/automations';
import insights from './routes/insights';
import { requestId } from './middleware/request-id';
import ops from './routes/ops';
import { withFaultInjection } from './ops/faults';
import { handleScheduled } from './ops/scheduled';

/** The whole API; exported so tests can enumerate `app.routes`. */
export const app = new Hono<AppEnv>()
  .use('*', requestId)
  .route('/healthz', health)
  .route('/v1', otlp)
  .use('/api/*', csrf)
  .route('/api/v1/ops', ops)
  .route('/api/v1/auth', auth)
  .route('/api/v1/auth/invites', invites)
  .route('/api/v1/me', me)
  .route('/api/v1/projects', projects)
  .route('/api/v1/traces', traces)
  .route('/api/v1/evaluations', evaluations)
  .route('/api/v1/feedback', feedback)
  .route('/api/v1/label-schemas', labelSchemas)
  .route('/api/v1/queues', queues)
  .route('/api/v1/datasets', datasets)
  .route('/api/v1/automations', automations)
  .route('/api/v1/insights', insights)
  .get('/api/v1/ping', (c) => c.json({ ok: true }));

app.onError(onError);
app.notFound((c) => c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.` } }, 404));

export type AppType = typeof app;

export { AnnotationQueue } from './queues/annotation-queue';

// Test-only: hands every handler an env whose bindings fail at SIEVE_FAULTS rates; a no-op unless SIEVE_ENV is development.
export default withFaultInjection({
  fetch: app.fetch,
  queue: handlePostIngest,
  scheduled: handleScheduled,
}) satisfies ExportedHandler<Env>;
