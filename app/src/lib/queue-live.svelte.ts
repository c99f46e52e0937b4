import { LIVE_CLOSE_ACCESS_CHANGED, LIVE_CLOSE_SIGNED_OUT, PING_FRAME, QueueLiveMessage, type LiveProgress, type PresenceEntry, type ServerMessage } from '$shared/queue-live';

export type ItemMessage = Extract<ServerMessage, { type: 'item' }>;
/** `signed_out` and `access_changed` are final: the server closed the socket because its rights ended. */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'signed_out' | 'access_changed';

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * A queue's live connection (`GET /api/v1/queues/:id/live`): progress and presence as reactive state,
 * item changes to a callback. Reconnects with exponential backoff (and at once when the browser is
 * back online), and pings so proxies keep the socket open.
 */
export class QueueLive {
  progress = $state<LiveProgress | null>(null);
  presence = $state<PresenceEntry[]>([]);
  status = $state<LiveStatus>('connecting');
  /** Who this connection reviews as, from the server's `hello`. */
  reviewerId = $state<string | null>(null);

  #ws: WebSocket | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #attempt = 0;
  #stopped = true;
  readonly #queueId: string;
  readonly #onitem: ((m: ItemMessage) => void) | undefined;

  constructor(queueId: string, onitem?: (m: ItemMessage) => void) {
    this.#queueId = queueId;
    this.#onitem = onitem;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    addEventListener('online', this.#reconnectNow);
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    removeEventListener('online', this.#reconnectNow);
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000, 'leaving');
  }

  #reconnectNow = () => {
    if (this.#stopped || this.#ws) return;
    clearTimeout(this.#retry);
    this.#attempt = 0;
    this.#connect();
  };

  #connect(): void {
    this.status = 'connecting';
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/v1/queues/${encodeURIComponent(this.#queueId)}/live`);
    this.#ws = ws;
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(e.data);
      } catch {
        return;
      }
      const parsed = QueueLiveMessage.safeParse(raw);
      if (parsed.success) this.#handle(parsed.data);
    };
    ws.onopen = () => {
      clearInterval(this.#ping);
      this.#ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(PING_FRAME), PING_MS);
    };
    ws.onclose = (e) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearInterval(this.#ping);
      if (this.#stopped) return;
      if (e.code === LIVE_CLOSE_SIGNED_OUT || e.code === LIVE_CLOSE_ACCESS_CHANGED) {
        this.status = e.code === LIVE_CLOSE_SIGNED_OUT ? 'signed_out' : 'access_changed';
        this.#stopped = true;
        removeEventListener('online', this.#reconnectNow);
        return;
      }
      this.status = 'offline';
      // 1 s, 2 s, 4 s … up to 30 s, with jitter so a restarted server is not hit by everyone at once.
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.#attempt) * (0.75 + Math.random() * 0.5);
      this.#attempt++;
      this.#retry = setTimeout(() => this.#connect(), delay);
    };
  }

  #handle(msg: QueueLiveMessage): void {
    switch (msg.type) {
      case 'hello':
        this.#attempt = 0;
        this.status = 'live';
        this.reviewerId = msg.reviewerId;
        this.progress = msg.progress;
        this.presence = msg.presence;
        break;
      case 'progress':
        this.progress = msg.progress;
        break;
      case 'presence':
        this.presence = msg.presence;
        break;
      case 'item':
        this.#onitem?.(msg);
        break;
    }
  }
}
