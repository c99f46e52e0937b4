import { DurableObject } from 'cloudflare:workers';
import { CLIENT_TYPES, PING_FRAME, PONG_FRAME, QueueLiveMessage, type ClientMessage } from '../schemas/queue-live';
import type { ClaimResponse, ItemStatus, ProgressResponse, QueueItem, ReviewState } from '../schemas/queues';
import { broadcast, GRANT_HEADER, presence, progress, publishChanges, reviewerProgress, REVIEWER_HEADER, send, type SocketInfo } from './live';
import { checkGrant, CLOSE_FOR, type LiveGrant, type LiveVerdict } from './live-access';
import { projectShard } from '../data/shards';
import { Outbox } from './outbox';
import { DDL, NEXT_WAKE } from './queue-sql';
import { QueueStore } from './queue-store';
import { listItems, toQueueItem, toReviewState } from './queue-views';
import { QueueCommandError, type ItemChange, type ItemSource, type Outcome, type QueueConfig, type Reviewer } from './types';

type Step<T> = { value: T; changes: ItemChange[]; flush?: boolean };

/**
 * One annotation queue: the single authority on its items, leases and reviews. Commands arrive as
 * RPC from the Worker (HTTP API) or as frames on reviewers' WebSockets, run one at a time against
 * SQLite storage, and are pushed to every live connection. Submissions reach D1 through the outbox.
 */
export class AnnotationQueue extends DurableObject<Env> {
  /** Injectable clock: tests move time to expire leases. */
  readonly clock = { now: () => Date.now() };
  /** Exposed so tests can inject D1 failures (`outbox.failNext`). */
  readonly outbox: Outbox;
  private readonly store: QueueStore;
  private config: QueueConfig | null = null;
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.outbox = new Outbox(ctx.storage.sql, (projectId) => projectShard(env, projectId), this.clock);
    this.store = new QueueStore(ctx.storage.sql, this.outbox);
    ctx.blockConcurrencyWhile(async () => {
      for (const ddl of DDL) ctx.storage.sql.exec(ddl);
      const row = ctx.storage.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'config'`).toArray()[0];
      this.config = row ? (JSON.parse(row.value) as QueueConfig) : null;
      this.alarmAt = await ctx.storage.getAlarm();
    });
    // Keep-alive pings are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** Stores the queue's settings (the Worker sends them with every command) and applies a new overlap. */
  private sync(cfg: QueueConfig | null): QueueConfig {
    const current = this.config;
    if (!cfg) {
      if (!current) throw new QueueCommandError({ status: 404, code: 'not_found', message: 'Queue not found.' });
      return current;
    }
    // A request that read the queue before an update may arrive after it: keep the newer settings.
    if (current && (cfg.revision < current.revision || JSON.stringify(current) === JSON.stringify(cfg))) return current;
    this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('config', ?)`, JSON.stringify(cfg));
    this.config = cfg;
    if (current && current.reviewersPerItem !== cfg.reviewersPerItem) this.store.restatus(cfg, this.clock.now());
    return cfg;
  }

  /** Runs a command atomically (after expiring leases), then broadcasts, re-arms the alarm and flushes. */
  private async run<T>(cfg: QueueConfig | null, command: (cfg: QueueConfig, now: number) => Step<T>): Promise<Outcome<T>> {
    let step: Step<T> & { cfg: QueueConfig };
    try {
      // Settings commit on their own: a command that fails must not leave memory and storage apart.
      const c = this.ctx.storage.transactionSync(() => this.sync(cfg));
      step = this.ctx.storage.transactionSync(() => {
        const now = this.clock.now();
        const expired = this.store.expireLeases(now, c);
        const result = command(c, now);
        return { ...result, cfg: c, changes: [...expired, ...result.changes] };
      });
    } catch (err) {
      if (err instanceof QueueCommandError) return { ok: false, error: err.error };
      throw err;
    }
    publishChanges(this.ctx.storage.sql, this.ctx.getWebSockets(), step.cfg, step.changes);
    await this.scheduleAlarm();
    // Submissions wait for their D1 copy (shared with concurrent ones); a failure leaves it to the alarm.
    if (step.flush) await this.outbox.flush(step.cfg);
    return { ok: true, value: step.value };
  }

  async configure(cfg: QueueConfig): Promise<Outcome<ProgressResponse>> {
    const before = this.config;
    const outcome = await this.run(cfg, (c) => ({ value: this.progressOf(c), changes: [], flush: true }));
    const after = this.config;
    // Unassigned reviewers and archived queues lose their sockets at once, not at their next command.
    if (before && after && (before.status !== after.status || before.accessMode !== after.accessMode || JSON.stringify(before.reviewers) !== JSON.stringify(after.reviewers))) {
      await this.revalidate().catch(() => 0);
    }
    return outcome;
  }

  async claim(cfg: QueueConfig | null, reviewer: Reviewer): Promise<Outcome<ClaimResponse>> {
    return this.run(cfg, (c, now) => {
      const r = this.store.claim(c, reviewer, now);
      return { value: r.claim, changes: r.changes };
    });
  }

  async release(cfg: QueueConfig | null, reviewer: Reviewer, traceId: string): Promise<Outcome<ReviewState>> {
    return this.run(cfg, (c, now) => {
      const r = this.store.release(c, reviewer, traceId, now);
      return { value: r.review, changes: r.changes };
    });
  }

  async skip(cfg: QueueConfig | null, reviewer: Reviewer, traceId: string, reason: string): Promise<Outcome<ReviewState>> {
    return this.run(cfg, (c, now) => {
      const r = this.store.skip(c, reviewer, traceId, reason, now);
      return { value: r.review, changes: r.changes };
    });
  }

  async saveDraft(cfg: QueueConfig | null, reviewer: Reviewer, traceId: string, values: unknown, notes: string | null): Promise<Outcome<ReviewState>> {
    return this.run(cfg, (c, now) => ({ value: this.store.saveDraft(c, reviewer, traceId, values, notes, now), changes: [] }));
  }

  async submit(cfg: QueueConfig | null, reviewer: Reviewer, traceId: string, values: unknown, notes: string | null): Promise<Outcome<ReviewState>> {
    return this.run(cfg, (c, now) => {
      const r = this.store.submit(c, reviewer, traceId, values, notes, now);
      return { value: r.review, changes: r.changes, flush: true };
    });
  }

  async editSubmission(cfg: QueueConfig | null, reviewer: Reviewer, traceId: string, values: unknown, notes: string | null): Promise<Outcome<ReviewState>> {
    return this.run(cfg, (c, now) => {
      const r = this.store.edit(c, reviewer, traceId, values, notes, now);
      return { value: r.review, changes: r.changes, flush: true };
    });
  }

  async addItems(cfg: QueueConfig, traceIds: string[], source: ItemSource | null, restore: boolean) {
    return this.run(cfg, (c, now) => {
      const r = this.store.addItems(c, traceIds, source, restore, now);
      return { value: r.result, changes: r.changes, flush: true };
    });
  }

  async removeItem(cfg: QueueConfig, traceId: string): Promise<Outcome<null>> {
    return this.run(cfg, (c, now) => ({ value: null, changes: this.store.removeItem(c, traceId, now), flush: true }));
  }

  async listItems(cfg: QueueConfig, opts: { status?: ItemStatus; cursor?: string; limit: number }) {
    return this.run(cfg, (c) => ({ value: listItems(this.ctx.storage.sql, c, opts), changes: [] }));
  }

  /** One item with the caller's review and everyone else's submissions (the Worker applies blind mode). */
  async itemContext(cfg: QueueConfig, traceId: string, reviewerId: string): Promise<Outcome<{ item: QueueItem; review: ReviewState | null; others: ReviewState[] }>> {
    return this.run(cfg, (c) => {
      const item = this.store.item(traceId);
      if (!item) throw new QueueCommandError({ status: 404, code: 'not_found', message: 'Item not found.' });
      const reviews = this.store.reviewsOf(traceId);
      const mine = reviews.find((r) => r.reviewer_id === reviewerId);
      const others = reviews.filter((r) => r.reviewer_id !== reviewerId && r.status === 'submitted').map(toReviewState);
      return { value: { item: toQueueItem(item, c.reviewersPerItem), review: mine ? toReviewState(mine) : null, others }, changes: [] };
    });
  }

  async progress(cfg: QueueConfig): Promise<Outcome<ProgressResponse>> {
    return this.run(cfg, (c) => ({ value: this.progressOf(c), changes: [] }));
  }

  private progressOf(c: QueueConfig): ProgressResponse {
    return { ...progress(this.ctx.storage.sql, c), reviewers: reviewerProgress(this.ctx.storage.sql) };
  }

  /** Leases run out and outbox retries come due here, besides lazily on every command. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const cfg = this.config;
    if (!cfg) return;
    const changes = this.ctx.storage.transactionSync(() => this.store.expireLeases(this.clock.now(), cfg));
    publishChanges(this.ctx.storage.sql, this.ctx.getWebSockets(), cfg, changes);
    await this.outbox.flush(cfg);
    await this.scheduleAlarm();
  }

  private async scheduleAlarm(): Promise<void> {
    const next = this.ctx.storage.sql.exec<{ at: number | null }>(NEXT_WAKE).one().at;
    if (next === null || (this.alarmAt !== null && this.alarmAt <= next)) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }

  /**
   * The live connection. Only the Worker can reach this object (there is no public route to it), and it
   * builds this request itself after authenticating the reviewer, so the reviewer header is trusted.
   */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('Expected a WebSocket upgrade.', { status: 426 });
    const reviewer = JSON.parse(request.headers.get(REVIEWER_HEADER) ?? 'null') as Reviewer | null;
    const grant = JSON.parse(request.headers.get(GRANT_HEADER) ?? 'null') as LiveGrant | null;
    const cfg = this.config;
    if (!reviewer || !grant || !cfg) return new Response('Unknown reviewer or queue.', { status: 400 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [reviewer.id]);
    server.serializeAttachment({ reviewerId: reviewer.id, reviewerName: reviewer.name, connectedAt: this.clock.now(), projectId: grant.projectId, credential: grant.credential } satisfies SocketInfo);
    const sockets = this.ctx.getWebSockets();
    const here = presence(this.ctx.storage.sql, sockets);
    send(server, { type: 'hello', queueId: cfg.queueId, reviewerId: reviewer.id, progress: progress(this.ctx.storage.sql, cfg), presence: here });
    broadcast(sockets.filter((ws) => ws !== server), { type: 'presence', presence: here });
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const info = ws.deserializeAttachment() as SocketInfo;
    let msg: ClientMessage;
    try {
      const parsed = QueueLiveMessage.parse(JSON.parse(typeof message === 'string' ? message : new TextDecoder().decode(message)));
      if (!(CLIENT_TYPES as string[]).includes(parsed.type)) throw new Error(`"${parsed.type}" is sent by the server, not to it`);
      msg = parsed as ClientMessage;
    } catch (err) {
      return send(ws, { type: 'error', code: 'bad_message', message: `Unusable frame: ${err instanceof Error ? err.message.slice(0, 300) : 'not JSON'}` });
    }
    if (msg.type === 'ping') return send(ws, { type: 'pong' });
    // Every command re-checks the session (or key) and membership it was opened with: a socket
    // never outlives a sign-out, a removal, a role change or a revoked key.
    let verdict: LiveVerdict;
    try {
      verdict = this.config ? await checkGrant(this.env.DB, info, this.config, this.clock.now()) : 'reconnect';
    } catch {
      return send(ws, { type: 'result', requestId: msg.requestId, ok: false, error: { code: 'unavailable', message: 'Storage is briefly unavailable; retry in a moment.' } });
    }
    if (verdict !== 'ok') {
      const close = CLOSE_FOR[verdict];
      send(ws, { type: 'result', requestId: msg.requestId, ok: false, error: { code: close.reason, message: close.message } });
      return this.closeRevoked(ws, verdict);
    }
    const reviewer = { id: info.reviewerId, name: info.reviewerName };
    const outcome = await this.dispatch(msg, reviewer);
    send(ws, outcome.ok ? { type: 'result', requestId: msg.requestId, ok: true, data: outcome.value } : { type: 'result', requestId: msg.requestId, ok: false, error: outcome.error });
  }

  private dispatch(msg: Exclude<ClientMessage, { type: 'ping' }>, reviewer: Reviewer): Promise<Outcome<unknown>> {
    switch (msg.type) {
      case 'claim':
        return this.claim(null, reviewer);
      case 'release':
        return this.release(null, reviewer, msg.itemId);
      case 'skip':
        return this.skip(null, reviewer, msg.itemId, msg.reason);
      case 'draft':
        return this.saveDraft(null, reviewer, msg.itemId, msg.values, msg.notes ?? null);
      case 'submit': {
        const mine = this.store.review(msg.itemId, reviewer.id);
        const act = mine?.status === 'submitted' ? this.editSubmission : this.submit;
        return act.call(this, null, reviewer, msg.itemId, msg.values, msg.notes ?? null);
      }
    }
  }

  /**
   * Re-checks every open socket now and closes those whose rights ended; the Worker calls it when it
   * signs someone out, changes a membership or revokes a key, so idle sockets close too. Returns how
   * many were closed.
   */
  async revalidate(): Promise<number> {
    const cfg = this.config;
    const sockets = this.ctx.getWebSockets();
    if (!cfg || !sockets.length) return 0;
    const now = this.clock.now();
    const verdicts = new Map<string, Promise<LiveVerdict>>();
    let closed = 0;
    for (const ws of sockets) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      const key = JSON.stringify([info?.credential, info?.reviewerId]);
      let verdict = verdicts.get(key);
      if (!verdict) verdicts.set(key, (verdict = checkGrant(this.env.DB, info, cfg, now)));
      const v = await verdict;
      if (v !== 'ok') {
        this.closeRevoked(ws, v);
        closed++;
      }
    }
    return closed;
  }

  private closeRevoked(ws: WebSocket, verdict: Exclude<LiveVerdict, 'ok'>): void {
    const { code, reason } = CLOSE_FOR[verdict];
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
    this.publishPresence(ws);
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closing');
    } catch {
      // already closed by the runtime
    }
    this.publishPresence(ws);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    this.publishPresence(ws);
  }

  private publishPresence(gone?: WebSocket): void {
    const sockets = this.ctx.getWebSockets().filter((ws) => ws !== gone);
    broadcast(sockets, { type: 'presence', presence: presence(this.ctx.storage.sql, sockets) });
  }
}
