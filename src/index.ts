import { controlApp } from "./api/app";
import { errorResponse } from "./routing/proxy";
import { handleEdgeRequest } from "./edge/handler";
import { edgeRuntime } from "./edge/runtime";
import { makeRuntime } from "./edge/wiring";
import { runCron } from "./scheduler/cron";
import { type Env, settings } from "./env";

export { BreakerObject } from "./breaker/breaker-object";

/** Entry: wiring only. Control plane under CONTROL_PREFIX, everything else proxied. */
export default {
  async fetch(request, env, ctx): Promise<Response> {
    const s = settings(env);
    const rt = edgeRuntime(env, makeRuntime);
    const url = new URL(request.url);
    const prefix = s.controlPrefix;
    const path = url.pathname;
    if (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47 /* "/" */)) {
      const inner = new URL(request.url);
      inner.pathname = url.pathname.slice(prefix.length) || "/";
      return controlApp.fetch(new Request(inner, request), env, ctx);
    }
    try {
      return await handleEdgeRequest(request, url, rt, ctx);
    } catch (err) {
      console.error(JSON.stringify({ event: "proxy_fault", error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
      return errorResponse(502, "proxy_error", "the edge could not complete this request");
    }
  },
  async scheduled(controller, env): Promise<void> {
    // Number(): a Date arrives here when the handler is invoked through a loopback binding.
    const report = await runCron(edgeRuntime(env, makeRuntime), Number(controller.scheduledTime), crypto.randomUUID());
    console.log(JSON.stringify({ event: "cron", ...report }));
  },
} satisfies ExportedHandler<Env>;
