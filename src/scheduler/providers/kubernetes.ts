import { TARGET_SCHEMAS } from "./targets.js";
import { callWithRetry, invalidTarget, missingSecret, withEndpoint, type CallResult, type Parsed } from "./retry.js";
import type { ProviderDeps, ProviderTarget, ReadResult, ScaleIntent, ScalingProviderImpl, WriteResult } from "./types.js";

/**
 * A Deployment's scale subresource (REFERENCE.md): GET, then a JSON merge patch
 * (RFC 7386, `application/merge-patch+json`) of `{"spec":{"replicas":N}}`, bearer
 * K8S_TOKEN. The patch carries no resourceVersion, so it cannot lose to a stale read;
 * a 409 Conflict still comes from admission or a concurrent update and is retried.
 * Errors are `Status` objects whose `reason` is the code (NotFound, Forbidden, Invalid…).
 */

async function statusError(res: Response): Promise<Parsed<never>> {
  const text = await res.text();
  try {
    const j = JSON.parse(text) as { reason?: string; message?: string };
    return { ok: false, code: j.reason ?? `http_${res.status}`, message: j.message ?? `HTTP ${res.status}` };
  } catch {
    return { ok: false, code: `http_${res.status}`, message: text.slice(0, 200) };
  }
}

async function scaleCall<T>(t: ProviderTarget, deps: ProviderDeps, action: "get" | "patch", init: RequestInit, parse: (j: unknown) => Parsed<T>): Promise<CallResult<T>> {
  const target = TARGET_SCHEMAS.kubernetes.safeParse(t.target);
  if (!target.success) return invalidTarget(target.error.message);
  const token = deps.secrets.K8S_TOKEN;
  if (token === undefined || token === "") return missingSecret("kubernetes", action, ["K8S_TOKEN"], deps);
  const { api_server, namespace, deployment } = target.data;
  const base = api_server.replace(/\/+$/, "");
  const url = withEndpoint(`${base}/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(deployment)}/scale`, t.endpoint);
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}`, accept: "application/json" };
  return callWithRetry(
    {
      provider: "kubernetes",
      action,
      send: (signal) => deps.fetch(url, { ...init, headers, signal }),
      parse: async (res) => (res.ok ? parse(await res.json()) : statusError(res)),
    },
    deps,
  );
}

function replicas(j: unknown): Parsed<number> {
  const n = (j as { spec?: { replicas?: unknown } }).spec?.replicas;
  return typeof n === "number" ? { ok: true, value: n } : { ok: false, code: "bad_response", message: "spec.replicas missing", retryable: false };
}

export const kubernetes: ScalingProviderImpl = {
  name: "kubernetes",
  async read(t, deps): Promise<ReadResult> {
    const r = await scaleCall(t, deps, "get", { method: "GET" }, replicas);
    return r.ok ? { ok: true, capacity: { current: r.value }, calls: r.calls } : r;
  },
  async write(t: ProviderTarget, intent: ScaleIntent, deps: ProviderDeps): Promise<WriteResult> {
    const init = { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { replicas: intent.desired } }) };
    const r = await scaleCall(t, deps, "patch", init, replicas);
    return r.ok ? { ok: true, desired: r.value, calls: r.calls } : r;
  },
};
