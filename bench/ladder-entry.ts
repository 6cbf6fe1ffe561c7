/**
 * The router's cost, rung by rung, in one workerd process: each path's first segment picks
 * how much of the router runs in front of the same fetch (bench/ladder.mjs).
 *   pass   bare passthrough: fetch(target, request)
 *   steer  + the client's geo (request.cf, remembered by address), the isolate's config and
 *          table, steering, an origin pick
 *   fwd    + the forwarding headers (hop-by-hop dropped, X-Forwarded-*, Forwarded)
 *   timer  + the per-try timeout (AbortController, a timer set and cleared)
 *   full   the whole router: worker.fetch as deployed (breakers, telemetry, load figures,
 *          retries, response checks)
 */
import worker from "../src/index";
import { edgeRuntime } from "../src/edge/runtime";
import { makeRuntime } from "../src/edge/wiring";
import type { Env } from "../src/env";
import { forwardedHost, upstreamHeaders, upstreamUrl } from "../src/routing/headers";
import { candidatePools } from "../src/routing/steering";
import { withDb } from "./lib/bench-worker";

export { BreakerObject } from "./lib/bench-worker";

let wrapped: Env | undefined;

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    // The rung from the raw URL string: the whole router parses the URL itself, once.
    const href = request.url;
    const path = href.slice(href.indexOf("/", href.indexOf("//") + 2) + 1);
    const rung = path.slice(0, path.indexOf("/") >>> 0);
    if (rung === "__ready") return new Response("ready");
    wrapped ??= withDb(env);
    if (rung === "full") return worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, wrapped, ctx);
    const url = new URL(href);
    const rt = edgeRuntime(wrapped, makeRuntime);
    const active = rt.config.current ?? (await rt.config.ensure());
    if (!active) return new Response("no config", { status: 503 });
    const { table } = rt.routing(active);
    if (rung === "pass") {
      // The origin the router picks for the bench's Frankfurt client, named, not picked.
      const eu = table.pools.get("eu-west")!.origins.values().next().value!;
      return fetch(upstreamUrl(eu.prefix, url), request);
    }
    const geo = rt.geo.lookup(request.headers.get("cf-connecting-ip") ?? undefined, request);
    const c = active.config;
    const pools = candidatePools(c.steering.policy, { geo, pools: table.candidates, geoMap: c.steering.geo, load: rt.load, random: rt.clock.random }, c.steering.fallback_pool);
    const pool = table.pools.get(pools[0]!)!;
    const pick = pool.picker!.pick({ random: rt.clock.random })!;
    const origin = pool.origins.get(pick.id)!;
    const target = upstreamUrl(origin.prefix, url);
    if (rung === "steer") return fetch(target, { method: request.method, headers: request.headers, redirect: "manual" });
    const headers = upstreamHeaders(request.headers, { connection: request.headers.get("connection"), clientIp: request.headers.get("cf-connecting-ip") ?? undefined, proto: "http", host: url.host, forwardedHost: forwardedHost(url.host), websocket: false });
    if (rung === "fwd") return fetch(target, { method: request.method, headers, redirect: "manual" });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort("per-try timeout"), c.retries.per_try_timeout_ms);
    try {
      return await fetch(target, { method: request.method, headers, redirect: "manual", signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  },
};
