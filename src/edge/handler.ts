import { candidatePools } from "../routing/steering";
import type { ActiveConfig } from "../config/store";
import { clientGeo } from "../routing/geo";
import { errorResponse, type ProxyDeps, proxyRequest } from "../routing/proxy";
import type { RetryBudget } from "../routing/retry-budget";
import type { RoutingTable } from "../routing/table";
import type { EdgeRuntime } from "./runtime";

/** Cold isolates wait at most this long for breaker state before routing on what they know. */
const BREAKER_WARMUP_BUDGET_MS = 50;

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
    admit: (id) => rt.breaker.admit(id),
    onAttempt: (rec, req) => {
      const colo = req.geo.colo ?? "";
      rt.breaker.record(rec, colo);
      rt.telemetry.record(rec, req.geo.country ?? "XX", colo);
    },
    fetch: (u, init) => fetch(u, init),
    now: rt.clock.now,
    random: rt.clock.random,
    deadlines: rt.deadlines,
    newToken: () => crypto.randomUUID(),
    retryAfterS: 5,
  };
  depsCache.set(table, { budget, deps });
  return deps;
}

/**
 * The data plane for one request: config from the isolate cache, steering, then the
 * proxy. Background work (config refresh, breaker reports, telemetry flush) goes to
 * ctx.waitUntil; a warm request awaits none of it.
 */
export function handleEdgeRequest(request: Request, url: URL, rt: EdgeRuntime, ctx: ExecutionContext): Promise<Response> {
  const active = rt.config.current;
  if (!active) return coldRequest(request, url, rt, ctx);
  background(rt.config.refreshIfDue(), ctx);
  return route(request, url, rt, active, ctx);
}

async function coldRequest(request: Request, url: URL, rt: EdgeRuntime, ctx: ExecutionContext): Promise<Response> {
  const active = await rt.config.ensure();
  if (!active) return errorResponse(503, "no_config", "no config has been stored yet", { "retry-after": "5" });
  const ids = active.config.pools.flatMap((p) => p.origins.map((o) => o.id));
  rt.routing(active);
  await rt.breaker.warmUp(ids, BREAKER_WARMUP_BUDGET_MS);
  return route(request, url, rt, active, ctx);
}

async function route(request: Request, url: URL, rt: EdgeRuntime, active: ActiveConfig, ctx: ExecutionContext): Promise<Response> {
  background(rt.health.refreshIfDue(), ctx);
  background(rt.telemetry.maybeFlush(rt.env.DB), ctx);
  const headers = request.headers;
  const clientIp = headers.get("cf-connecting-ip") ?? undefined;
  const geo = clientGeo(rt.geo.lookup(clientIp, request), headers, rt.settings.production);
  const { table, budget } = rt.routing(active);
  const config = active.config;
  const pools = candidatePools(
    config.steering.policy,
    { geo, pools: table.candidates, geoMap: config.steering.geo, load: rt.load, random: rt.clock.random },
    config.steering.fallback_pool,
  );
  const response = await proxyRequest({ request, url, geo, pools, clientIp, ctx }, proxyDeps(rt, table, budget));
  // After the proxy: this request's outcome may be a breaker report the fleet waits for.
  background(rt.breaker.sync(), ctx);
  return response;
}

function background(work: Promise<unknown> | undefined, ctx: ExecutionContext): void {
  if (work) ctx.waitUntil(work);
}
