// Bench worker: the same breaker report call made two ways, to compare transports on workerd.
//  - native RPC: env.BREAKER (the real src/breaker/breaker-object.ts) via stub.report(req, cfg)
//  - itty-durable 2.4.1: env.ITTY (IttyBreaker below) via its proxy stub, which turns the call
//    into a GET with the arguments JSON-encoded in a `do-content` header, routed by itty-router
//    inside the object, the result JSON-encoded back.
// Both objects run the same BreakerCore (same pure logic, same SQLite write per report).
import { createDurable } from "itty-durable/itty-durable.js";
import { proxyDurable } from "itty-durable/proxy-durable.js";
import { BreakerObject } from "../../src/breaker/breaker-object.ts";
import { BreakerCore } from "../../src/breaker/object-core.ts";
import { edgeConfigSchema } from "../../src/config/schema.ts";

export { BreakerObject };

/** The same BreakerCore as BreakerObject; only the transport differs. */
export class IttyBreaker extends createDurable({ autoPersist: false, autoReturn: false }) {
  constructor(state, env) {
    super(state, env);
    this.core = new BreakerCore(state.storage, undefined, { now: () => Date.now(), offset: () => 0, random: () => Math.random() });
    state.blockConcurrencyWhile(() => this.core.load());
  }

  report(req, config) {
    return this.core.report(req, config);
  }

  // itty-durable serialises every own property of the object; keep the core out of it.
  toJSON() {
    return {};
  }
}

const CONFIG = edgeConfigSchema.shape.breaker.parse({});
const OBJECTS = 8;
let seq = 0;

function reportRequest(k) {
  return { origin: `o${k}`, pool: "p", colo: "LOC", isolate: "bench", outcomes: "s".repeat(50), probes: 0, wantLeases: 0 };
}

async function callOnce(env, via) {
  const k = seq++ % OBJECTS;
  if (via === "rpc") return env.BREAKER.get(env.BREAKER.idFromName(`o${k}`)).report(reportRequest(k), CONFIG);
  return proxyDurable(env.ITTY, { name: "ITTY", parse: true }).get(`o${k}`).report(reportRequest(k), CONFIG);
}

export default {
  async fetch(request, env) {
    try {
      return await route(request, env);
    } catch (err) {
      return new Response(`bench worker error: ${err && err.stack ? err.stack : String(err)}`, { status: 500 });
    }
  },
};

async function route(request, env) {
  {
    const url = new URL(request.url);
    if (url.pathname === "/__ready") return new Response("ok");
    if (url.pathname === "/none") return Response.json({ ok: true });
    if (url.pathname === "/rpc" || url.pathname === "/itty") {
      const reply = await callOnce(env, url.pathname.slice(1));
      return Response.json({ state: reply.snapshot.state, calls: reply.snapshot.counts.calls });
    }
    if (url.pathname === "/loop") {
      // Calls issued from inside the worker: `c` concurrent chains of sequential calls.
      const via = url.searchParams.get("via") === "itty" ? "itty" : "rpc";
      const n = Math.min(Number(url.searchParams.get("n") ?? 1000), 20_000);
      const c = Math.max(1, Math.min(Number(url.searchParams.get("c") ?? 1), 64));
      const t0 = Date.now();
      await Promise.all(Array.from({ length: c }, async () => {
        for (let i = 0; i < Math.floor(n / c); i++) await callOnce(env, via);
      }));
      return Response.json({ calls: Math.floor(n / c) * c, ms: Date.now() - t0 });
    }
    return new Response("not found", { status: 404 });
  }
}
