import { log } from './log';
import { runRetention } from './retention';

/** Below this a run could not finish one batch; anything unparsable falls back to the default too. */
const MIN_CALLS = 10;

/**
 * The Worker's `scheduled` handler (Cron Trigger in wrangler.toml). Its one job is retention, so any
 * schedule runs it: renaming the cron cannot silently stop it. The scheduled time, not the clock,
 * sets the cutoffs, so a late or retried run deletes exactly what the schedule meant to.
 * A failure is logged and rethrown, so the Cron Events list shows the run as failed.
 */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const maxCalls = Number(env.RETENTION_MAX_CALLS);
  try {
    await runRetention(env, { now: controller.scheduledTime, maxCalls: maxCalls >= MIN_CALLS ? maxCalls : undefined });
  } catch (err) {
    log.error('retention run failed', { cron: controller.cron, error: err });
    throw err;
  }
}
