import { first, isRecord, parseJson, str, toNumber, type Bag } from './attrs';

/** Who and what a span belongs to: the app-level attributes that tie spans into sessions and releases. */
export interface AppContext {
  sessionId?: string;
  userId?: string;
  tags: string[];
  promptVersion?: string;
  retryAttempt: number;
}

const SESSION_KEYS = ['session.id', 'gen_ai.conversation.id', 'langfuse.session.id', 'ai.telemetry.metadata.sessionId'];
const USER_KEYS = ['user.id', 'enduser.id', 'langfuse.user.id', 'ai.telemetry.metadata.userId'];
const TAG_KEYS = ['tag.tags', 'langfuse.trace.tags', 'sieve.tags'];
const PROMPT_VERSION_KEYS = [
  'llm.prompt_template.version',
  'gen_ai.prompt.version',
  'prompt.version',
  'sieve.prompt_version',
  'langfuse.prompt.version',
];
const RETRY_KEYS = [
  'http.request.resend_count',
  'retry.attempt',
  'retry_count',
  'gen_ai.request.retry_count',
  'sieve.retry_attempt',
];

/**
 * Session, user, tags, prompt version and retry attempt. Span attributes win over resource
 * attributes, since apps set these per request as often as per process.
 */
export function appContext(span: Bag, resource: Bag): AppContext {
  const metadata = metadataOf(span.get('metadata'));
  return {
    sessionId: str(span, ...SESSION_KEYS) ?? str(resource, ...SESSION_KEYS) ?? str(metadata, 'session_id', 'sessionId'),
    userId: str(span, ...USER_KEYS) ?? str(resource, ...USER_KEYS) ?? str(metadata, 'user_id', 'userId'),
    tags: [...new Set([span, resource].flatMap((bag) => TAG_KEYS.flatMap((key) => tagsOf(bag.get(key)))))],
    promptVersion: str(span, ...PROMPT_VERSION_KEYS) ?? str(resource, ...PROMPT_VERSION_KEYS),
    retryAttempt: retryAttempt(span),
  };
}

/** The first retry counter that is a positive number; 0 means a first attempt. */
function retryAttempt(span: Bag): number {
  for (const key of RETRY_KEYS) {
    const n = toNumber(first(span, key));
    if (n !== undefined && n > 0) return Math.floor(n);
  }
  return 0;
}

/** Tags arrive as a list, a JSON-encoded list, or a comma-separated string. */
function tagsOf(value: unknown): string[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    const parsed = value.trimStart().startsWith('[') ? parseJson(value) : undefined;
    list = Array.isArray(parsed) ? parsed : value.split(',');
  }
  if (!Array.isArray(list)) return [];
  return list
    .filter((t): t is string | number => typeof t === 'string' || typeof t === 'number')
    .map((t) => String(t).trim())
    .filter((t) => t !== '');
}

// OpenInference's `metadata` is a JSON object; apps often put session and user ids there.
function metadataOf(value: unknown): Bag {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  return new Map(isRecord(parsed) ? Object.entries(parsed) : []);
}
