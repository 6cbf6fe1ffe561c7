import { EMPTY, type LimiterState, type Verdict, recordFailure } from "./limiter";

/** What the client needs of the AuthGuard namespace (a test seam; RPC stubs fit it). */
export interface GuardNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): { fail(): Promise<Verdict> };
}

export interface GuardClientDeps {
  namespace: GuardNamespace | undefined;
  now(): number;
  /** Resolves after ms (the DO call's timeout). */
  sleep(ms: number): Promise<void>;
  timeoutMs: number;
}

/** Keys an isolate remembers; beyond this the oldest are forgotten (memory bound). */
const MAX_KEYS = 10_000;

/**
 * The isolate's side of the auth limiter. A request that authenticates never touches the
 * Durable Object: the isolate only remembers which keys the object said are locked out,
 * and refuses those locally until the lockout ends. Only a failed attempt calls the object
 * (the client is waiting for a 401 anyway).
 *
 * Fail closed, locally: if the object is unreachable or slower than `timeoutMs`, the
 * failure is counted in this isolate's own limiter instead, with the same rules, so a
 * guesser is still slowed by every isolate it reaches.
 */
export class AuthGuardClient {
  private readonly blocked = new Map<string, number>();
  private readonly local = new Map<string, LimiterState>();
  /** Object calls that failed or timed out (counted in the local limiter instead). */
  fallbacks = 0;

  constructor(private readonly deps: GuardClientDeps) {}

  /** Milliseconds the key stays locked out, as this isolate knows it; 0 when it is not. */
  blockedFor(key: string, now = this.deps.now()): number {
    const until = this.blocked.get(key);
    if (until === undefined) return 0;
    if (now < until) return until - now;
    this.blocked.delete(key);
    return 0;
  }

  /** Records a failed attempt; resolves with the verdict (never rejects). */
  async failed(key: string): Promise<Verdict> {
    const verdict = (await this.remote(key)) ?? this.failLocally(key);
    if (verdict.blocked) remember(this.blocked, key, this.deps.now() + verdict.retryAfterMs);
    return verdict;
  }

  private async remote(key: string): Promise<Verdict | undefined> {
    const ns = this.deps.namespace;
    if (!ns) return undefined;
    try {
      const call = ns.get(ns.idFromName(key)).fail();
      const timeout = this.deps.sleep(this.deps.timeoutMs).then(() => undefined);
      const v = await Promise.race([call, timeout]);
      if (v === undefined) {
        call.catch(() => undefined);
        this.fallbacks++;
      }
      return v;
    } catch (err) {
      this.fallbacks++;
      console.error(JSON.stringify({ event: "auth_guard_unreachable", error: err instanceof Error ? err.message : String(err) }));
      return undefined;
    }
  }

  private failLocally(key: string): Verdict {
    const { state, verdict } = recordFailure(this.local.get(key) ?? EMPTY, this.deps.now());
    remember(this.local, key, state);
    return verdict;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_KEYS) map.delete(map.keys().next().value as string);
}
