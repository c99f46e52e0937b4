import { shardBindings } from '../data/shards';

/**
 * Test-only fault injection for the load test (`npm run loadtest -- --faults`): wraps the storage
 * bindings so a configured share of calls fails, the way a flaky D1, R2, Queue or Durable Object
 * would. Switched on by the var `SIEVE_FAULTS` (e.g. `d1=0.05,r2=0.05,queue=0.05,do=0.02`), and only
 * when `SIEVE_ENV` is `development`: like the session cookie's Secure flag, anything else counts as
 * production, so a deploy with a missing or misspelt SIEVE_ENV can never turn faults on.
 *
 * Half of the faults strike before the call (nothing happened), half after it completed (the write
 * is done, its answer lost): the second kind is what makes retries and idempotency matter.
 */

export type FaultTarget = 'd1' | 'r2' | 'queue' | 'do';
export type FaultRates = Record<FaultTarget, number>;

const TARGETS: readonly FaultTarget[] = ['d1', 'r2', 'queue', 'do'];

/** The error an injected fault throws; its message names the binding and when it struck. */
export class InjectedFault extends Error {
  constructor(
    readonly target: FaultTarget,
    readonly phase: 'before' | 'after',
    op: string,
  ) {
    super(`injected ${target} fault ${phase} ${op} (SIEVE_FAULTS)`);
    this.name = 'InjectedFault';
  }
}

/** Parses `d1=0.05,r2=0.1`; unnamed targets get 0. Throws on anything else, so a typo is not silently "no faults". */
export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = { d1: 0, r2: 0, queue: 0, do: 0 };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]+)=([0-9.]+)$/.exec(part);
    const target = m?.[1] as FaultTarget | undefined;
    const rate = Number(m?.[2]);
    if (!target || !TARGETS.includes(target) || !(rate >= 0 && rate <= 1)) {
      throw new Error(`SIEVE_FAULTS: "${part}" is not <${TARGETS.join('|')}>=<rate 0..1>`);
    }
    rates[target] = rate;
  }
  return rates;
}

/** The fault rates in effect for `env`, or null when injection is off (always off outside development). */
export function faultRates(env: { SIEVE_ENV?: string; SIEVE_FAULTS?: string }): FaultRates | null {
  if (env.SIEVE_ENV !== 'development' || !env.SIEVE_FAULTS?.trim()) return null;
  const rates = parseFaults(env.SIEVE_FAULTS);
  return TARGETS.some((t) => rates[t] > 0) ? rates : null;
}

type Roll = () => number;

/** Runs `call` unless a fault strikes; an "after" fault lets it finish, then throws. */
async function faulty<T>(rate: number, random: Roll, target: FaultTarget, op: string, call: () => Promise<T>): Promise<T> {
  if (rate <= 0 || random() >= rate) return call();
  const phase = random() < 0.5 ? 'before' : 'after';
  if (phase === 'after') await call();
  throw new InjectedFault(target, phase, op);
}

function wrapD1(db: D1Database, rate: number, random: Roll): D1Database {
  // Batches must receive the runtime's own statements: remember the real one behind each wrapper.
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrapStatement(target.bind(...values));
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => faulty(rate, random, 'd1', String(prop), () => (target[prop] as (...a: unknown[]) => Promise<unknown>)(...args));
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const unwrap = (statements: D1PreparedStatement[]) => statements.map((s) => real.get(s) ?? s);
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (prop === 'batch') return (statements: D1PreparedStatement[]) => faulty(rate, random, 'd1', 'batch', () => target.batch(unwrap(statements)));
      if (prop === 'exec') return (sql: string) => faulty(rate, random, 'd1', 'exec', () => target.exec(sql));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Wraps the named async methods of a binding; everything else passes through untouched. */
function wrapMethods<T extends object>(binding: T, methods: readonly string[], target: FaultTarget, rate: number, random: Roll): T {
  return new Proxy(binding, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && methods.includes(prop)) {
        return (...args: unknown[]) => faulty(rate, random, target, prop, () => value.apply(obj, args));
      }
      return value.bind(obj);
    },
  });
}

/** Every RPC method of a stub (and `fetch`) may fail; `id` and `name` pass through. */
function wrapStub<T extends object>(stub: T, rate: number, random: Roll): T {
  return new Proxy(stub, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj);
      if (typeof prop !== 'string' || prop === 'then' || prop === 'id' || prop === 'name' || typeof value !== 'function') return value;
      // An RPC method is itself a stub (its `apply` would be a remote call): invoke it through the object.
      return (...args: unknown[]) => faulty(rate, random, 'do', prop, () => (obj as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop](...args));
    },
  });
}

function wrapNamespace<T extends DurableObjectNamespace<any>>(ns: T, rate: number, random: Roll): T {
  return new Proxy(ns, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      if (prop === 'get' || prop === 'getByName') return (...args: unknown[]) => wrapStub(value.apply(obj, args), rate, random);
      return value.bind(obj);
    },
  });
}

type FaultEnv = Pick<Env, 'DB' | 'PAYLOADS' | 'POST_INGEST' | 'ANNOTATION_QUEUE'> & { SIEVE_ENV?: string; SIEVE_FAULTS?: string };

const wrapped = new WeakMap<object, object>();

/**
 * `env` with its D1 (control and every shard), R2, Queue and Durable Object bindings wrapped to fail at the configured rates,
 * or `env` itself when injection is off. Wrapped once per env object.
 */
export function withFaults<E extends FaultEnv>(env: E, random: Roll = Math.random): E {
  const rates = faultRates(env);
  if (!rates) return env;
  const cached = wrapped.get(env);
  if (cached) return cached as E;
  const shards = Object.fromEntries(shardBindings(env).map((b) => [b, wrapD1((env as Record<string, unknown>)[b] as D1Database, rates.d1, random)]));
  const out: E = {
    ...env,
    ...(rates.d1 > 0 ? shards : {}),
    DB: rates.d1 > 0 ? wrapD1(env.DB, rates.d1, random) : env.DB,
    PAYLOADS: rates.r2 > 0 ? wrapMethods(env.PAYLOADS, ['put', 'get', 'head', 'delete', 'list', 'createMultipartUpload'], 'r2', rates.r2, random) : env.PAYLOADS,
    POST_INGEST: rates.queue > 0 ? wrapMethods(env.POST_INGEST, ['send', 'sendBatch'], 'queue', rates.queue, random) : env.POST_INGEST,
    ANNOTATION_QUEUE: rates.do > 0 ? wrapNamespace(env.ANNOTATION_QUEUE, rates.do, random) : env.ANNOTATION_QUEUE,
  };
  wrapped.set(env, out);
  return out;
}

/** The Worker's handlers with every one of them given `withFaults(env)`: wrap the default export with it. */
export function withFaultInjection<H extends ExportedHandler<Env, any>>(handlers: H): H {
  const out: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    out[name] = typeof handler === 'function' ? (event: unknown, env: Env, ctx: ExecutionContext) => handler(event, withFaults(env), ctx) : handler;
  }
  return out as H;
}
