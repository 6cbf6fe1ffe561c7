/**
 * The router under benchmark: the worker built from src/index.ts, with D1 replaced by the
 * in-memory counter above (bare workerd has no D1) and a config given by the bench.
 * GET /__bench/stats answers the D1 statement count; every other path is the real worker.
 */
import worker, { BreakerObject as RealBreakerObject } from "../src/index";
import { edgeRuntime } from "../src/edge/runtime";
import { makeRuntime } from "../src/edge/wiring";
import type { Env } from "../src/env";
import { FakeD1 } from "./lib/fake-d1";

declare const BENCH_CONFIG: string;

const db = new FakeD1({ version: 1, config: BENCH_CONFIG });
const asD1 = db as unknown as D1Database;

function withDb(env: Env): Env {
  return Object.assign(Object.create(env) as Env, { DB: asD1 });
}

export class BreakerObject extends RealBreakerObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, withDb(env));
  }
}

let wrapped: Env | undefined;

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    // String checks, not a URL parse: the worker parses the URL itself, once.
    const href = request.url;
    wrapped ??= withDb(env);
    if (href.endsWith("/__bench/stats")) return Response.json({ d1: db.count, ...edgeRuntime(wrapped, makeRuntime).telemetry.stats() });
    if (href.endsWith("/__ready")) return new Response("ready");
    return worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, wrapped, ctx);
  },
};
