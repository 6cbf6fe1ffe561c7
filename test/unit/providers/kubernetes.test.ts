import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import type { ProviderTarget, ScaleIntent } from "../../../src/scheduler/providers/types.js";
import { testDeps } from "../../support/fake-clouds/deps.js";
import { createFakeKubernetes } from "../../support/fake-clouds/kubernetes.js";

const k8s = PROVIDERS.kubernetes;
const TOKEN = "k8s-bearer-token-value";
const t: ProviderTarget = { pool: "api", provider: "kubernetes", target: { api_server: "https://k8s.example.com", namespace: "shop", deployment: "web" }, endpoint: "http://127.0.0.1:1" };
const intent: ScaleIntent = { runId: "r", current: 3, desired: 7, reason: "forecast", forecast: null };

function setup() {
  const fake = createFakeKubernetes({ token: TOKEN, groups: [{ name: "shop/web", capacity: 3, min: 0, max: 100 }] });
  return { fake, deps: testDeps(fake.handler, { K8S_TOKEN: TOKEN }) };
}

describe("kubernetes provider against the fake API server", () => {
  it("GET then merge-patch of the scale subresource", async () => {
    const { fake, deps } = setup();
    expect(await k8s.read(t, deps)).toMatchObject({ ok: true, capacity: { current: 3 } });
    expect(await k8s.write(t, intent, deps)).toMatchObject({ ok: true, desired: 7 });
    const patch = fake.calls.find((c) => c.action === "patch");
    expect(patch?.headers["content-type"]).toBe("application/merge-patch+json");
    expect(JSON.parse(patch?.body ?? "{}")).toEqual({ spec: { replicas: 7 } });
    expect(patch?.path).toBe("/apis/apps/v1/namespaces/shop/deployments/web/scale");
    expect(fake.groups.get("shop/web")?.capacity).toBe(7);
  });

  it("409 Conflict is retried; 422 Invalid is final", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "409", count: 1, action: "patch" });
    const w = await k8s.write(t, intent, deps);
    expect(w.ok).toBe(true);
    expect(w.calls[0]).toMatchObject({ status: 409, errorCode: "Conflict", outcome: "retryable_error" });
    fake.fault({ kind: "validation", count: 1, action: "patch" });
    const v = await k8s.write(t, intent, deps);
    expect(v).toMatchObject({ ok: false, error: { code: "Invalid", retryable: false } });
    expect(v.calls).toHaveLength(1);
  });

  it("a wrong token is a final Unauthorized; a missing one sends nothing; no token in records", async () => {
    const { fake, deps } = setup();
    const bad = await k8s.read(t, { ...deps, secrets: { K8S_TOKEN: "nope-nope" } });
    expect(bad).toMatchObject({ ok: false, error: { code: "Unauthorized", retryable: false } });
    const n = fake.calls.length;
    expect(await k8s.read(t, { ...deps, secrets: {} })).toMatchObject({ ok: false, error: { code: "missing_secret" } });
    expect(fake.calls.length).toBe(n);
    expect(JSON.stringify([...(await k8s.read(t, deps)).calls, ...(await k8s.write(t, intent, deps)).calls])).not.toContain(TOKEN);
  });
});
