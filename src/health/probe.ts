import type { HealthConfig, OriginConfig } from "../config/schema";
import { originTarget } from "../routing/headers";
import { matchesExpected } from "./monitor";

export interface ProbeResult {
  passed: boolean;
  status: number | null;
  latencyMs: number;
  /** Why it failed: "timeout", "connect: …" or "status 503 not in 2xx". */
  error: string | null;
}

export interface ProbeDeps {
  fetch(url: string, init: RequestInit): Promise<Response>;
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
  /** Production: a `host_header` goes out the Cloudflare way (see originTarget). */
  production?: boolean;
}

/** One probe: GET the health path with the origin's Host override, bounded by timeout_ms. */
export async function probeOrigin(origin: OriginConfig, health: HealthConfig, deps: ProbeDeps): Promise<ProbeResult> {
  const target = originTarget(origin, deps.production ?? false);
  const url = `${target.prefix}${health.path}`;
  const controller = new AbortController();
  const cancel = deps.setTimer(() => controller.abort("health probe timeout"), health.timeout_ms);
  const started = deps.now();
  const init: RequestInit<RequestInitCfProperties> = { method: "GET", headers: { "user-agent": "aether-edge-health/1" }, redirect: "manual", signal: controller.signal };
  if (target.resolveOverride !== undefined) init.cf = { resolveOverride: target.resolveOverride };
  try {
    const res = await deps.fetch(url, init);
    await res.body?.cancel();
    const latencyMs = deps.now() - started;
    const passed = matchesExpected(res.status, health.expected_codes);
    return { passed, status: res.status, latencyMs, error: passed ? null : `status ${res.status} not in ${health.expected_codes}` };
  } catch (err) {
    const latencyMs = deps.now() - started;
    const error = controller.signal.aborted ? "timeout" : `connect: ${err instanceof Error ? err.message : String(err)}`;
    return { passed: false, status: null, latencyMs, error };
  } finally {
    cancel();
  }
}
