import type { HealthConfig, OriginConfig } from "../config/schema";
import { originPrefix } from "../routing/headers";
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
}

/** One probe: GET the health path with the origin's Host override, bounded by timeout_ms. */
export async function probeOrigin(origin: OriginConfig, health: HealthConfig, deps: ProbeDeps): Promise<ProbeResult> {
  const url = `${originPrefix(new URL(origin.url))}${health.path}`;
  const controller = new AbortController();
  const cancel = deps.setTimer(() => controller.abort("health probe timeout"), health.timeout_ms);
  const started = deps.now();
  const headers: Record<string, string> = { "user-agent": "aether-edge-health/1" };
  if (origin.host_header) headers.host = origin.host_header;
  try {
    const res = await deps.fetch(url, { method: "GET", headers, redirect: "manual", signal: controller.signal });
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
