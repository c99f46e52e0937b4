import { ApiError, apiJson, type FieldIssue } from '$lib/api-client';
import type { TraceDetailResponse } from '$lib/types';
import { valuesSchema, type LabelField, type LabelValues } from '$shared/label-schemas';
import type { ClaimResponse, ItemContextResponse, ReviewState } from '$shared/queues';

export type ItemContext = ItemContextResponse<TraceDetailResponse>;
export type Phase = 'starting' | 'loading' | 'reviewing' | 'empty' | 'error';
export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'failed';
/** What the form holds for one field before it is checked: a text field's '' or a cleared number are "no answer". */
export type FieldValue = string | string[] | number | boolean | null;

const AUTOSAVE_MS = 800;

/** Answers worth sending: fields of this version only, and no empty ones. */
export function answers(fields: LabelField[], values: Record<string, FieldValue>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of fields) {
    const v = values[f.key];
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
    out[f.key] = v;
  }
  return out;
}

/** Zod issues or the API's 422 details, as one message per field key (the first one wins). */
export function fieldErrors(issues: { path: readonly PropertyKey[] | string; message: string }[]): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const i of issues) {
    const path = typeof i.path === 'string' ? i.path.split('.') : i.path.map(String);
    const key = path[0] === 'values' ? path[1] : path[0];
    if (key && !(key in byField)) byField[key] = i.message;
    else if (!key) other.push(i.message);
  }
  return { byField, other };
}

/**
 * One reviewer working through a queue: claims an item, loads it, keeps the answers (autosaved as a
 * draft), submits or skips, and claims the next. The answers are checked with the same
 * `valuesSchema` the server enforces, and the server's 422 lands on the same fields.
 */
export class ReviewSession {
  phase = $state<Phase>('starting');
  ctx = $state<ItemContext | null>(null);
  values = $state<Record<string, FieldValue>>({});
  notes = $state('');
  errors = $state<Record<string, string>>({});
  formError = $state('');
  /** Set after a submit attempt: from then on the form re-checks as the reviewer types. */
  attempted = $state(false);
  saveState = $state<SaveState>('idle');
  saveError = $state('');
  leaseExpiresAt = $state<number | null>(null);
  /** The reservation ended (expired, or the API said so): the answers stay, a claim gets it back. */
  leaseLost = $state(false);
  /** The item is no longer this reviewer's to label: an admin removed it, or another tab submitted it. */
  gone = $state<'removed' | 'submitted' | null>(null);
  busy = $state<'' | 'submitting' | 'skipping' | 'claiming'>('');
  /** Items this reviewer submitted since opening the page. */
  submittedHere = $state(0);
  notice = $state('');
  errorMessage = $state('');
  errorStatus = $state(0);

  readonly queueId: string;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #leaseTimer: ReturnType<typeof setTimeout> | undefined;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> | null = null;
  #dirty = false;

  constructor(queueId: string) {
    this.queueId = queueId;
  }

  get fields(): LabelField[] {
    return this.ctx?.queue.fields ?? [];
  }

  get itemId(): string | null {
    return this.ctx?.item.itemId ?? null;
  }

  get #base(): string {
    return `/queues/${encodeURIComponent(this.queueId)}`;
  }

  /** Claims the next item (or gets back the one this reviewer holds) and opens it. */
  async claimNext(opts: { keepAnswers?: boolean } = {}): Promise<void> {
    const previous = this.itemId;
    const kept = opts.keepAnswers ? { values: $state.snapshot(this.values), notes: this.notes } : null;
    this.busy = 'claiming';
    if (!this.ctx) this.phase = 'loading';
    try {
      const claim = await apiJson<ClaimResponse>('POST', `${this.#base}/claim`);
      if (!claim.item) {
        this.#clearItem();
        this.phase = 'empty';
        return;
      }
      const ctx = await apiJson<ItemContext>('GET', `${this.#base}/items/${claim.item.itemId}`);
      this.#open(ctx, claim.item.review);
      if (kept && previous === claim.item.itemId) {
        // Claimed back: what is on screen is newer than the draft the server kept.
        this.values = kept.values;
        this.notes = kept.notes;
        this.touch();
      } else if (kept && previous) {
        this.flash('That item went to someone else while it was not reserved; here is the next one.');
      }
    } catch (err) {
      // Claiming back must not throw away the answers on screen: the reviewer can try again.
      if (kept && this.ctx) this.formError = err instanceof Error ? err.message : String(err);
      else this.#fail(err);
    } finally {
      this.busy = '';
    }
  }

  #open(ctx: ItemContext, review: ReviewState | null): void {
    clearTimeout(this.#saveTimer);
    this.ctx = ctx;
    const mine = review ?? ctx.review;
    const keys = new Set(ctx.queue.fields.map((f) => f.key));
    // A draft may hold answers to fields a newer schema version dropped: they are left out.
    this.values = Object.fromEntries(Object.entries(mine?.values ?? {}).filter(([k]) => keys.has(k))) as Record<string, FieldValue>;
    this.notes = mine?.notes ?? '';
    this.errors = {};
    this.formError = '';
    this.attempted = false;
    this.saveState = 'idle';
    this.saveError = '';
    this.leaseLost = false;
    this.gone = null;
    this.#dirty = false;
    this.#setLease(mine?.leaseExpiresAt ?? null);
    this.phase = 'reviewing';
  }

  #clearItem(): void {
    clearTimeout(this.#saveTimer);
    clearTimeout(this.#leaseTimer);
    this.ctx = null;
    this.values = {};
    this.notes = '';
    this.leaseExpiresAt = null;
  }

  #setLease(iso: string | null): void {
    clearTimeout(this.#leaseTimer);
    this.leaseExpiresAt = iso ? Date.parse(iso) : null;
    if (this.leaseExpiresAt === null) return;
    const ms = this.leaseExpiresAt - Date.now();
    // The server's clock decides; a second of slack keeps the browser from calling it early.
    this.#leaseTimer = setTimeout(() => this.expire(), Math.max(0, ms + 1000));
  }

  /** The lease ran out (timer, or the live connection said so). */
  expire(): void {
    if (this.phase !== 'reviewing') return;
    clearTimeout(this.#leaseTimer);
    this.leaseLost = true;
  }

  /** The live connection reports the item left this reviewer's hands (not through this page). */
  lost(why: 'removed' | 'submitted'): void {
    if (this.phase !== 'reviewing' || this.busy) return;
    clearTimeout(this.#saveTimer);
    this.gone = why;
  }

  #fail(err: unknown): void {
    this.#clearItem();
    this.phase = 'error';
    this.errorStatus = err instanceof ApiError ? err.status : 0;
    this.errorMessage = err instanceof Error ? err.message : String(err);
  }

  flash(message: string): void {
    clearTimeout(this.#noticeTimer);
    this.notice = message;
    this.#noticeTimer = setTimeout(() => (this.notice = ''), 4000);
  }

  /** Sets one answer; `null` clears it. */
  set(key: string, value: FieldValue): void {
    this.values[key] = value;
    this.touch();
  }

  /** Something changed: re-check if a submit was tried, and save a draft shortly. */
  touch(): void {
    if (this.attempted) this.validate();
    if (this.leaseLost || this.gone || !this.ctx || this.ctx.review?.status === 'submitted') return;
    this.#dirty = true;
    this.saveState = 'pending';
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.saveDraft(), AUTOSAVE_MS);
  }

  /** Checks the answers as the server will; returns them when they pass. */
  validate(): LabelValues | null {
    const parsed = valuesSchema(this.fields).safeParse(answers(this.fields, this.values));
    if (parsed.success) {
      this.errors = {};
      this.formError = '';
      return parsed.data;
    }
    const { byField, other } = fieldErrors(parsed.error.issues);
    this.errors = byField;
    this.formError = other.join(' ');
    return null;
  }

  /** The draft: whatever is answered and valid so far (a draft may leave required fields out). */
  #draftValues(): Record<string, FieldValue> {
    const draft = answers(this.fields, this.values);
    const parsed = valuesSchema(this.fields, { partial: true }).safeParse(draft);
    if (!parsed.success) for (const k of Object.keys(fieldErrors(parsed.error.issues).byField)) delete draft[k];
    return draft;
  }

  async saveDraft(): Promise<void> {
    const itemId = this.itemId;
    if (!itemId || !this.#dirty || this.leaseLost) return;
    if (this.#saving) {
      // One save at a time; the latest answers go in the next one.
      await this.#saving;
      if (this.itemId !== itemId || !this.#dirty) return;
    }
    this.#dirty = false;
    this.saveState = 'saving';
    const body = { values: this.#draftValues(), notes: this.notes || null };
    this.#saving = (async () => {
      try {
        const review = await apiJson<ReviewState>('PUT', `${this.#base}/items/${itemId}/draft`, body);
        if (this.itemId !== itemId) return;
        this.saveState = this.#dirty ? 'pending' : 'saved';
        this.saveError = '';
        this.#setLease(review.leaseExpiresAt);
      } catch (err) {
        if (this.itemId !== itemId) return;
        this.#dirty = true;
        this.saveState = 'failed';
        this.saveError = err instanceof Error ? err.message : String(err);
        if (err instanceof ApiError && err.code === 'already_submitted') this.gone = 'submitted';
        else if (err instanceof ApiError && err.status === 409) this.leaseLost = true;
        else if (err instanceof ApiError && err.status === 404) this.gone = 'removed';
      }
    })();
    await this.#saving;
    this.#saving = null;
  }

  /** Submits (or, for one's own earlier submission, edits) and claims the next item. */
  async submit(): Promise<boolean> {
    const ctx = this.ctx;
    if (!ctx || this.busy) return false;
    this.attempted = true;
    const values = this.validate();
    if (!values) return false;
    clearTimeout(this.#saveTimer);
    this.busy = 'submitting';
    const itemId = ctx.item.itemId;
    const editing = ctx.review?.status === 'submitted';
    try {
      await this.#saving;
      const body = { values, notes: this.notes.trim() ? this.notes : null };
      if (editing) await apiJson('PUT', `${this.#base}/items/${itemId}/submission`, body);
      else await apiJson('POST', `${this.#base}/items/${itemId}/submit`, body);
    } catch (err) {
      this.busy = '';
      this.#submitFailed(err);
      return false;
    }
    this.submittedHere++;
    this.flash(editing ? 'Changes saved.' : `Submitted ${itemId.slice(0, 8)}…`);
    this.busy = '';
    await this.claimNext();
    return true;
  }

  #submitFailed(err: unknown): void {
    if (!(err instanceof ApiError)) {
      this.formError = String(err);
      return;
    }
    if (err.status === 422 && err.details.length) {
      const { byField, other } = fieldErrors(err.details as FieldIssue[]);
      // Messages for fields this form does not have (the queue moved to a newer schema version) go on top.
      const shown = new Set(this.fields.map((f) => f.key));
      for (const [k, m] of Object.entries(byField)) if (!shown.has(k)) other.push(m);
      this.errors = byField;
      this.formError = other.join(' ') || (Object.keys(byField).length ? '' : err.message);
    } else if (err.code === 'already_submitted') {
      this.gone = 'submitted';
    } else if (err.status === 409) {
      this.leaseLost = true;
      this.formError = err.message;
    } else if (err.status === 404) {
      this.gone = 'removed';
    } else {
      this.formError = err.message;
    }
  }

  /** Passes on the item for good (with the reason) and claims the next. */
  async skip(reason: string): Promise<boolean> {
    const itemId = this.itemId;
    if (!itemId || this.busy) return false;
    clearTimeout(this.#saveTimer);
    this.busy = 'skipping';
    try {
      await apiJson('POST', `${this.#base}/items/${itemId}/skip`, { reason });
    } catch (err) {
      this.busy = '';
      this.formError = err instanceof Error ? err.message : String(err);
      return false;
    }
    this.busy = '';
    this.flash(`Skipped ${itemId.slice(0, 8)}…`);
    await this.claimNext();
    return true;
  }

  /**
   * Gives the held item back when the reviewer leaves, so others can take it at once; the draft
   * stays for later. `keepalive` lets the request outlive a closing tab.
   */
  release(): void {
    clearTimeout(this.#saveTimer);
    clearTimeout(this.#leaseTimer);
    clearTimeout(this.#noticeTimer);
    const itemId = this.itemId;
    if (!itemId || this.phase !== 'reviewing' || this.leaseLost || this.ctx?.review?.status === 'submitted') return;
    const release = () => apiJson('POST', `${this.#base}/items/${itemId}/release`, undefined, { keepalive: true });
    // The last answers first, then the release (which a draft may not follow). When the tab is
    // closing, the release may not get out: the lease then runs out on its own.
    const draft = this.#dirty ? apiJson('PUT', `${this.#base}/items/${itemId}/draft`, { values: this.#draftValues(), notes: this.notes || null }, { keepalive: true }) : null;
    void (draft ? draft.then(release) : release()).catch(() => undefined);
  }
}
