/**
 * The router and the bare passthrough in one bundle, for the same-core comparison: two
 * processes of it swap roles between rounds, so whatever differs between two workerd
 * processes (placement, heap layout, JIT decisions) falls on both sides alike.
 * Paths under /pass/ take the passthrough (bench/passthrough-entry.ts, unchanged: the
 * origin answers any path); every other path is the router (bench/router-entry.ts).
 */
import type { Env } from "../src/env";
import pass from "./passthrough-entry";
import router from "./router-entry";

export { BreakerObject } from "./lib/bench-worker";

export default {
  fetch(request: Request, env: Env & { ORIGIN: string }, ctx: ExecutionContext): Promise<Response> {
    const href = request.url;
    const path = href.indexOf("/", href.indexOf("//") + 2);
    if (href.startsWith("/pass/", path)) return pass.fetch(request, env);
    return router.fetch(request, env, ctx);
  },
};
