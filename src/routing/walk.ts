import type { ProxyDeps, ProxyRequest } from "./proxy";
import type { PickRequest } from "./selection/types";
import type { PoolRuntime } from "./table";

/** What a walk needs from the proxy's dependencies. */
type WalkDeps = Pick<ProxyDeps, "table" | "random" | "admit" | "newToken">;

/**
 * One request's walk over the candidates: the current pool first, then the following
 * pools in order, never an origin already tried. One object per request; the set of
 * tried origins and the cookie list exist only once needed (most requests need neither).
 */
export class Walk {
  attempts = 0;
  cookies: NewCookie[] | undefined;
  private tried: Set<string> | undefined;
  private poolIndex = 0;

  constructor(
    private readonly req: Pick<ProxyRequest, "pools" | "clientIp">,
    private readonly headers: Headers,
    private readonly deps: WalkDeps,
  ) {}

  exclude(originId: string): void {
    (this.tried ??= new Set()).add(originId);
  }

  next(now: number): { pool: PoolRuntime; origin: string } | undefined {
    const { req, deps } = this;
    for (; this.poolIndex < req.pools.length; this.poolIndex++) {
      const pool = deps.table.pools.get(req.pools[this.poolIndex]!);
      if (!pool) continue;
      const key = pool.config.affinity.by === "none" ? undefined : affinityKey(pool, req.clientIp, this.headers, deps, (this.cookies ??= []));
      const origin = pickAdmitted(pool, key, this.tried, deps, now);
      if (origin) return { pool, origin };
    }
    return undefined;
  }
}

/** A session cookie the response must set (cookie affinity, first visit). */
interface NewCookie {
  name: string;
  value: string;
  ttlS: number;
}

/**
 * The affinity key per pool. Cookie affinity as Cloudflare LB's `cookie` mode: a client
 * without the cookie gets a fresh random token as its key, and the response sets it, so
 * the next request hashes to the same origin (a missing header or IP hashes randomly).
 */
function affinityKey(
  pool: PoolRuntime,
  clientIp: string | undefined,
  headers: Headers,
  deps: Pick<ProxyDeps, "newToken">,
  issued: NewCookie[],
): string | undefined {
  const a = pool.config.affinity;
  switch (a.by) {
    case "none":
      return undefined;
    case "ip":
      return clientIp;
    case "header":
      return headers.get(a.name) ?? undefined;
    case "cookie": {
      const existing = readCookie(headers.get("cookie"), a.name) ?? issued.find((c) => c.name === a.name)?.value;
      if (existing !== undefined) return existing;
      const value = deps.newToken();
      issued.push({ name: a.name, value, ttlS: a.ttl_s });
      return value;
    }
  }
}

/**
 * The response with the session cookies this request issued (none on a WebSocket upgrade).
 * `mutable`: `res` was built by the edge (its headers can take the cookies as they are);
 * otherwise it is an origin's, whose headers are immutable, and it is rebuilt around its body.
 */
export function withCookies(res: Response, cookies: readonly NewCookie[] | undefined, secure: boolean, mutable = false): Response {
  if (cookies === undefined || cookies.length === 0 || res.status === 101) return res;
  const out = mutable ? res : new Response(res.body, res);
  const headers = out.headers;
  for (const c of cookies)
    headers.append("set-cookie", `${c.name}=${c.value}; Max-Age=${c.ttlS}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
  return out;
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Picks an origin not yet tried whose breaker admits the request (probe leases included). */
function pickAdmitted(pool: PoolRuntime, key: string | undefined, tried: Set<string> | undefined, deps: WalkDeps, now: number): string | undefined {
  if (!pool.picker) return undefined;
  // `tried` is copied only if a breaker refuses a pick (a half-open origin without a lease).
  let refused = tried;
  for (let i = 0; i < pool.available; i++) {
    const req: PickRequest = { random: deps.random };
    if (refused !== undefined) req.exclude = refused;
    if (key !== undefined) req.key = key;
    const pick = pool.picker.pick(req);
    if (!pick) return undefined;
    if (deps.admit(pick.id, now)) return pick.id;
    refused = refused === tried ? new Set(tried) : refused;
    refused!.add(pick.id);
  }
  return undefined;
}
