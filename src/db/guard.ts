/**
 * D1 behind a deadline: every statement and batch either settles within `timeoutMs` or
 * rejects with StoreUnavailable, and every D1 failure becomes one. Callers on the request
 * path never await D1 (config, health and telemetry refresh in the background and keep
 * their last state: fail static); the control API maps StoreUnavailable to 503
 * store_unavailable (src/api/errors.ts), so a slow or down D1 is a clear answer, not a
 * hung request or a 500.
 */
export class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreUnavailable";
  }
}

export interface GuardDeps {
  timeoutMs: number;
  /** Resolves after ms (a timer of the calling request). */
  sleep(ms: number): Promise<void>;
}

const RUNS = new Set(["all", "raw", "run", "first"]);

export function guardD1(db: D1Database, deps: GuardDeps): D1Database {
  const targets = new WeakMap<object, D1PreparedStatement>();
  const timed = <T>(what: string, p: Promise<T>): Promise<T> => {
    let timer = false;
    const timeout = deps.sleep(deps.timeoutMs).then(() => {
      timer = true;
    });
    return Promise.race([p, timeout]).then(
      (v) => {
        if (timer) {
          p.catch(() => undefined);
          throw new StoreUnavailable(`D1 did not answer ${what} within ${deps.timeoutMs} ms`);
        }
        return v as T;
      },
      (err: unknown) => {
        throw new StoreUnavailable(`D1 ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        const v: unknown = Reflect.get(target, prop, target);
        if (typeof v !== "function") return v;
        const fn = v as (...a: unknown[]) => unknown;
        if (prop === "bind") return (...a: unknown[]) => wrap(fn.apply(target, a) as D1PreparedStatement);
        if (typeof prop === "string" && RUNS.has(prop)) return (...a: unknown[]) => timed(prop, Promise.resolve().then(() => fn.apply(target, a)));
        return fn.bind(target);
      },
    });
    targets.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      const fn = v as (...a: unknown[]) => unknown;
      if (prop === "prepare") return (sql: string) => wrap(fn.call(target, sql) as D1PreparedStatement);
      if (prop === "batch")
        return (stmts: D1PreparedStatement[]) => timed("batch", Promise.resolve().then(() => fn.call(target, stmts.map((s) => targets.get(s) ?? s))));
      if (prop === "exec") return (sql: string) => timed("exec", Promise.resolve().then(() => fn.call(target, sql)));
      return fn.bind(target);
    },
  });
}

const guarded = new WeakMap<object, object>();

/**
 * The env the worker runs on: the same bindings, D1 guarded. One wrapper per env object,
 * so everything keyed by env identity (settings, the isolate runtime) stays one per isolate.
 */
export function guardedEnv<E extends { DB: D1Database }>(env: E, deps: GuardDeps): E {
  const hit = guarded.get(env);
  if (hit) return hit as E;
  const wrapped = Object.assign(Object.create(env) as E, { DB: guardD1(env.DB, deps) });
  guarded.set(env, wrapped);
  return wrapped;
}
