/**
 * The router under benchmark: the worker built from src/index.ts, with D1 replaced by the
 * counting stand-in of bench/lib/bench-worker.ts (bare workerd has no D1) holding the
 * bench's config.
 * GET /__bench/stats answers the D1 statement count; every other path is the real worker.
 */
import worker from "../src/index";
import { edgeRuntime } from "../src/edge/runtime";
import { makeRuntime } from "../src/edge/wiring";
import { guardedEnv } from "../src/db/guard";
import { type Env, settings } from "../src/env";
import { db, withDb } from "./lib/bench-worker";

export { BreakerObject } from "./lib/bench-worker";

let wrapped: Env | undefined;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    // String checks, not a URL parse: the worker parses the URL itself, once.
    const href = request.url;
    wrapped ??= withDb(env);
    // The worker runs on its guarded env (one per env object), so its runtime is that one's.
    if (href.endsWith("/__bench/stats")) return Response.json({ d1: db.count, ...edgeRuntime(guardedEnv(wrapped, { timeoutMs: settings(wrapped).d1TimeoutMs, sleep }), makeRuntime).telemetry.stats() });
    if (href.endsWith("/__ready")) return new Response("ready");
    return worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, wrapped, ctx);
  },
};
