import { controlApp } from "./api/app";
import { guardedEnv } from "./db/guard";
import { handleEdgeRequest } from "./edge/handler";
import { LIMITS, limitResponse, scanRequest } from "./edge/limits";
import { edgeRuntime } from "./edge/runtime";
import { makeRuntime } from "./edge/wiring";
import { DEFAULT_PROVIDERS } from "./scheduler/scaling/registry";
import { runScheduler } from "./scheduler/scaling/scheduler";
import { type Env, misconfiguredResponse, SettingsError, settings } from "./env";

export { BreakerObject } from "./breaker/breaker-object";
export { SchedulerLease } from "./scheduler/scaling/lease-object";
export { AuthGuard } from "./auth/guard-object";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Entry: wiring only. Control plane under CONTROL_PREFIX, everything else proxied. */
export default {
  fetch(request, rawEnv, ctx): Response | Promise<Response> {
    let s;
    try {
      s = settings(rawEnv);
    } catch (err) {
      if (err instanceof SettingsError) return misconfiguredResponse(err);
      throw err;
    }
    const env = guardedEnv(rawEnv, { timeoutMs: s.d1TimeoutMs, sleep });
    const rt = edgeRuntime(env, makeRuntime);
    const href = request.url;
    const url = new URL(href);
    const prefix = s.controlPrefix;
    const path = url.pathname;
    const control = path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47 /* "/" */);
    const scan = scanRequest(href, request.headers, control ? LIMITS.controlBodyBytes : LIMITS.bodyBytes);
    if (scan.violation) return limitResponse(scan.violation);
    if (control) {
      const inner = new URL(href);
      inner.pathname = path.slice(prefix.length) || "/";
      return controlApp.fetch(new Request(inner, request), env, ctx);
    }
    // Not awaited here: the data plane never rejects (its faults answer 502), and a warm
    // request passes through no await of its own but the proxy's.
    return handleEdgeRequest(request, href, url, rt, ctx, scan.internalFields);
  },
  async scheduled(controller, rawEnv): Promise<void> {
    const env = guardedEnv(rawEnv, { timeoutMs: settings(rawEnv).d1TimeoutMs, sleep });
    // Number(): a Date arrives here when the handler is invoked through a loopback binding.
    const run = { trigger: "cron", now: Number(controller.scheduledTime), runId: crypto.randomUUID(), providers: DEFAULT_PROVIDERS } as const;
    const r = await runScheduler(edgeRuntime(env, makeRuntime), run);
    if (!r.ok) console.log(JSON.stringify({ event: "cron_skipped", reason: "run_in_progress", holder: r.holder, expires_at: new Date(r.expiresAt).toISOString() }));
    else console.log(JSON.stringify({ event: "cron", ...r.report }));
  },
} satisfies ExportedHandler<Env>;
