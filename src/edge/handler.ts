import { candidatePools } from "../routing/steering";
import { type CfLike, clientGeo, GEO_HEADER } from "../routing/geo";
import { errorResponse, proxyRequest } from "../routing/proxy";
import type { EdgeRuntime } from "./runtime";

/** Cold isolates wait at most this long for breaker state before routing on what they know. */
const BREAKER_WARMUP_BUDGET_MS = 50;

/**
 * The data plane for one request: config from the isolate cache, steering, then the
 * proxy. Background work (config refresh, breaker reports, telemetry flush) goes to
 * ctx.waitUntil; a warm request awaits none of it.
 */
export async function handleEdgeRequest(request: Request, url: URL, rt: EdgeRuntime, ctx: ExecutionContext): Promise<Response> {
  let active = rt.config.current;
  if (!active) {
    active = await rt.config.ensure();
    if (!active) return errorResponse(503, "no_config", "no config has been stored yet", { "retry-after": "5" });
    const ids = active.config.pools.flatMap((p) => p.origins.map((o) => o.id));
    rt.routing(active);
    await rt.breaker.warmUp(ids, BREAKER_WARMUP_BUDGET_MS);
  } else {
    const refresh = rt.config.refreshIfDue();
    if (refresh) ctx.waitUntil(refresh);
  }
  const cf = request.cf as CfLike | undefined;
  const geo = clientGeo(cf, request.headers.get(GEO_HEADER), rt.settings.production);
  const { table, budget } = rt.routing(active);
  const config = active.config;
  const pools = candidatePools(
    config.steering.policy,
    { geo, pools: table.candidates, geoMap: config.steering.geo, load: rt.load, random: rt.clock.random },
    config.steering.fallback_pool,
  );
  const country = geo.country ?? "XX";
  const colo = geo.colo ?? "";
  const response = await proxyRequest(
    { request, url, geo, pools, clientIp: request.headers.get("cf-connecting-ip") ?? undefined },
    {
      table,
      load: rt.load,
      budget,
      retries: config.retries,
      debugHeaders: config.debug_headers,
      admit: (id) => rt.breaker.admit(id),
      onAttempt: (rec) => {
        rt.breaker.record(rec, colo);
        rt.telemetry.record(rec, country, colo);
      },
      fetch: (u, init) => fetch(u, init),
      now: rt.clock.now,
      random: rt.clock.random,
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
      newToken: () => crypto.randomUUID(),
      retryAfterS: 5,
    },
  );
  const sync = rt.breaker.sync();
  if (sync) ctx.waitUntil(sync);
  const flush = rt.telemetry.maybeFlush(rt.env.DB);
  if (flush) ctx.waitUntil(flush);
  return response;
}
