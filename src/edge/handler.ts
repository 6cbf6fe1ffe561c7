import { candidatePools } from "../routing/steering";
import type { ActiveConfig } from "../config/store";
import { clientGeo } from "../routing/geo";
import { errorResponse, faultAnswer, type ProxyDeps, type ProxyRequest, proxyRequest } from "../routing/proxy";
import type { RetryBudget } from "../routing/retry-budget";
import type { RoutingTable } from "../routing/table";
import { warmUpOrigins } from "../breaker/warm-up";
import type { EdgeRuntime } from "./runtime";

/** Cold isolates wait at most this long for breaker state before routing on what they know. */
const BREAKER_WARMUP_BUDGET_MS = 50;
/**
 * The background checks (config and health state in D1, the telemetry flush) run from a
 * request at most this often. Each is due every few seconds at the soonest, so a check
 * 25 ms late changes nothing, and the requests in between skip three calls.
 */
const HOUSEKEEPING_MS = 25;

type WaitUntil = Pick<ExecutionContext, "waitUntil">;

/**
 * The proxy's dependencies for one routing table, built once and reused by every request
 * it serves (a dozen closures per request showed up in workerd profiles).
 */
const depsCache = new WeakMap<RoutingTable, { budget: RetryBudget; deps: ProxyDeps }>();

function proxyDeps(rt: EdgeRuntime, table: RoutingTable, budget: RetryBudget): ProxyDeps {
  const hit = depsCache.get(table);
  if (hit && hit.budget === budget) return hit.deps;
  const config = table.config;
  const deps: ProxyDeps = {
    table,
    load: rt.load,
    budget,
    retries: config.retries,
    debugHeaders: config.debug_headers,
    admit: (id, now) => rt.breaker.admit(id, now),
    onAttempt: (rec, req) => {
      const colo = req.geo.colo ?? "";
      rt.breaker.record(rec, colo);
      rt.telemetry.record(rec, req.geo.country ?? "XX", colo);
      // This outcome may be a breaker report the fleet waits for (a probe, a local trip).
      background(rt.breaker.sync(rec.endedAt), req.ctx);
    },
    fetch: (u, init) => fetch(u, init),
    now: rt.clock.now,
    random: rt.clock.random,
    deadlines: rt.deadlines,
    newToken: () => crypto.randomUUID(),
    retryAfterS: 5,
    onFault: logFault,
  };
  depsCache.set(table, { budget, deps });
  return deps;
}

/**
 * The data plane for one request: config from the isolate cache, steering, then the
 * proxy. Background work (config refresh, breaker reports, telemetry flush) goes to
 * ctx.waitUntil; a warm request awaits none of it.
 *
 * Never rejects, and a warm request adds no await of its own around the proxy's: the
 * proxy answers 502 for its own faults, and a fault here (steering, say) answers 502 too.
 */
export function handleEdgeRequest(
  request: Request,
  href: string,
  url: URL,
  rt: EdgeRuntime,
  ctx: ExecutionContext,
  /** Whether the request has x-edge-* fields, if the caller's limit check found out (scanRequest). */
  internalFields?: boolean,
): Promise<Response> {
  try {
    const active = rt.config.current;
    if (!active) return coldRequest(request, href, url, rt, ctx, internalFields);
    // The clock is read once here for everything up to the first attempt's end (workerd's
    // clock does not move before then, and each reading is a call into the runtime).
    const now = rt.clock.now();
    if (now >= rt.housekeepingAt) {
      rt.housekeepingAt = now + HOUSEKEEPING_MS;
      background(rt.config.refreshIfDue(now), ctx);
      background(rt.health.refreshIfDue(now), ctx);
      background(rt.telemetry.maybeFlush(rt.env.DB, now), ctx);
    }
    return route(request, href, url, rt, active, ctx, now, internalFields);
  } catch (err) {
    return Promise.resolve(faultResponse(err));
  }
}

async function coldRequest(request: Request, href: string, url: URL, rt: EdgeRuntime, ctx: ExecutionContext, internalFields: boolean | undefined): Promise<Response> {
  try {
    const active = await rt.config.ensure();
    if (!active) {
      const refused = rt.config.rejected;
      if (refused) {
        const why = refused.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
        return errorResponse(503, "config_refused", `stored config version ${refused.version} may not be served here (${why})`, { "retry-after": "30" });
      }
      return errorResponse(503, "no_config", "no config has been stored yet", { "retry-after": "5" });
    }
    rt.routing(active);
    await rt.breaker.warmUp(warmUpOrigins(active.config), BREAKER_WARMUP_BUDGET_MS);
    return await route(request, href, url, rt, active, ctx, rt.clock.now(), internalFields);
  } catch (err) {
    return faultResponse(err);
  }
}

function route(
  request: Request,
  href: string,
  url: URL,
  rt: EdgeRuntime,
  active: ActiveConfig,
  ctx: ExecutionContext,
  now: number,
  internalFields: boolean | undefined,
): Promise<Response> {
  const headers = request.headers;
  const clientIp = headers.get("cf-connecting-ip") ?? undefined;
  const base = rt.geo.lookup(clientIp, request, now);
  const geo = clientGeo(base, headers, rt.settings.production);
  const { table, budget } = rt.routing(active);
  const config = active.config;
  const policy = config.steering.policy;
  // A returning client's order is kept with its geo (not when an override made a new one).
  const shared = geo === base && rt.geo.shares(clientIp);
  let pools = shared ? rt.steering.get(policy, geo, table) : undefined;
  if (pools === undefined) {
    pools = candidatePools(
      policy,
      { geo, pools: table.candidates, geoMap: config.steering.geo, load: rt.load, random: rt.clock.random },
      config.steering.fallback_pool,
    );
    if (shared) rt.steering.remember(policy, geo, table, pools);
  }
  const req: ProxyRequest = { request, href, url, now, geo, pools, clientIp, ctx };
  if (internalFields !== undefined) req.internalFields = internalFields;
  return proxyRequest(req, proxyDeps(rt, table, budget));
}

function background(work: Promise<unknown> | undefined, ctx: WaitUntil): void {
  if (work) ctx.waitUntil(work);
}

function logFault(err: unknown): void {
  console.error(JSON.stringify({ event: "proxy_fault", error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
}

function faultResponse(err: unknown): Response {
  logFault(err);
  return faultAnswer();
}
