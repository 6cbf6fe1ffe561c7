import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ScalingProvider } from "../../../src/config/schema.js";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import { clearTokenCache } from "../../../src/scheduler/providers/token-cache.js";
import type { ProviderTarget, ScaleIntent, ScalingSecrets } from "../../../src/scheduler/providers/types.js";
import { createFakeAws } from "../../support/fake-clouds/aws.js";
import { createFakeAzure } from "../../support/fake-clouds/azure.js";
import type { Fault, FakeGroup, FakeHandler } from "../../support/fake-clouds/common.js";
import { testDeps, type TestDeps } from "../../support/fake-clouds/deps.js";
import { createFakeGcp, makeServiceAccount, type ServiceAccountKey } from "../../support/fake-clouds/gcp.js";
import { createFakeKubernetes } from "../../support/fake-clouds/kubernetes.js";
import { createFakeWebhook } from "../../support/fake-clouds/webhook.js";

/**
 * One suite every provider passes against its own fake (STYLE.md 1): throttling then
 * success, a validation error final and recorded once, a timeout recorded, a missing
 * secret recorded with nothing sent, and no secret value in any record.
 */

interface Setup {
  readonly handler: FakeHandler;
  readonly fault: (f: Fault) => void;
  readonly capacity: () => number | undefined;
  readonly requests: () => number;
  readonly secrets: ScalingSecrets;
  readonly target: ProviderTarget;
  readonly writeAction: string;
  readonly bind?: (deps: TestDeps) => void;
}

const G = (name: string): Omit<FakeGroup, "etag"> => ({ name, capacity: 2, min: 0, max: 50 });
let sa: { key: ServiceAccountKey; publicKeyPem: string };
beforeAll(async () => {
  sa = await makeServiceAccount();
});
beforeEach(() => clearTokenCache());
const EP = "http://127.0.0.1:1";

const SETUPS: Record<ScalingProvider, () => Setup> = {
  aws: () => {
    const f = createFakeAws({ keys: { AKIDCONFORMANCE0001: "conformance-secret-aws" }, groups: [G("g")] });
    return { handler: f.handler, fault: f.fault, capacity: () => f.groups.get("g")?.capacity, requests: () => f.calls.length, secrets: { AWS_ACCESS_KEY_ID: "AKIDCONFORMANCE0001", AWS_SECRET_ACCESS_KEY: "conformance-secret-aws" }, target: { pool: "p", provider: "aws", target: { region: "us-east-1", group: "g" }, endpoint: EP }, writeAction: "SetDesiredCapacity" };
  },
  gcp: () => {
    let clock = () => 0;
    const f = createFakeGcp({ publicKeyPem: sa.publicKeyPem, clientEmail: sa.key.client_email, now: () => clock(), groups: [G("projects/p/zones/z/instanceGroupManagers/g")] });
    return {
      handler: f.handler, fault: f.fault, capacity: () => f.groups.get("projects/p/zones/z/instanceGroupManagers/g")?.capacity, requests: () => f.calls.length,
      secrets: { GCP_SERVICE_ACCOUNT_JSON: JSON.stringify(sa.key) }, target: { pool: "p", provider: "gcp", target: { project: "p", zone: "z", group: "g" }, endpoint: EP }, writeAction: "resize",
      bind: (d) => (clock = d.now),
    };
  },
  azure: () => {
    const f = createFakeAzure({ tenant: "tenant-conf-0001", clientId: "client-conf-0001", clientSecret: "conformance-secret-azure", groups: [G("sub-conf-0001/rg/vm")] });
    return { handler: f.handler, fault: f.fault, capacity: () => f.groups.get("sub-conf-0001/rg/vm")?.capacity, requests: () => f.calls.length, secrets: { AZURE_TENANT_ID: "tenant-conf-0001", AZURE_CLIENT_ID: "client-conf-0001", AZURE_CLIENT_SECRET: "conformance-secret-azure", AZURE_SUBSCRIPTION_ID: "sub-conf-0001" }, target: { pool: "p", provider: "azure", target: { resource_group: "rg", scale_set: "vm" }, endpoint: EP }, writeAction: "patch" };
  },
  kubernetes: () => {
    const f = createFakeKubernetes({ token: "conformance-secret-k8s", groups: [G("ns/web")] });
    return { handler: f.handler, fault: f.fault, capacity: () => f.groups.get("ns/web")?.capacity, requests: () => f.calls.length, secrets: { K8S_TOKEN: "conformance-secret-k8s" }, target: { pool: "p", provider: "kubernetes", target: { api_server: "https://k8s.example.com", namespace: "ns", deployment: "web" }, endpoint: EP }, writeAction: "patch" };
  },
  webhook: () => {
    let clock = () => 0;
    const f = createFakeWebhook({ secret: "whsec_Y29uZm9ybWFuY2Utc2VjcmV0LXdlYmhvb2s=", now: () => clock(), groups: [G("p")] });
    return { handler: f.handler, fault: f.fault, capacity: () => f.groups.get("p")?.capacity, requests: () => f.calls.length, secrets: { WEBHOOK_SECRET: "whsec_Y29uZm9ybWFuY2Utc2VjcmV0LXdlYmhvb2s=" }, target: { pool: "p", provider: "webhook", target: { url: "https://hooks.example.com/webhook" }, endpoint: EP }, writeAction: "deliver", bind: (d) => (clock = d.now) };
  },
};

const intent: ScaleIntent = { runId: "run-c", current: 2, desired: 5, reason: "forecast", forecast: { model: "m", peak: 1, horizon_s: 60 } };

function make(p: ScalingProvider, wrap?: (h: FakeHandler) => FakeHandler) {
  const s = SETUPS[p]();
  const deps = testDeps(wrap ? wrap(s.handler) : s.handler, s.secrets);
  s.bind?.(deps);
  return { s, deps };
}

describe.each(Object.keys(SETUPS) as ScalingProvider[])("%s provider conformance", (p) => {
  const impl = PROVIDERS[p];

  it("reads, then writes; the fake's capacity changes", async () => {
    const { s, deps } = make(p);
    expect(await impl.read(s.target, deps)).toMatchObject({ ok: true, capacity: { current: 2 } });
    expect(await impl.write(s.target, intent, deps)).toMatchObject({ ok: true, desired: 5 });
    expect(s.capacity()).toBe(5);
  });

  it("retries throttling, then succeeds", async () => {
    const { s, deps } = make(p);
    s.fault({ kind: "throttling", count: 1, action: s.writeAction });
    const w = await impl.write(s.target, intent, deps);
    expect(w.ok).toBe(true);
    expect(w.calls.filter((c) => c.outcome === "retryable_error")).toHaveLength(1);
    expect(s.capacity()).toBe(5);
  });

  it("a validation error is final, recorded once, not retried", async () => {
    const { s, deps } = make(p);
    s.fault({ kind: "validation", count: 1, action: s.writeAction });
    const w = await impl.write(s.target, intent, deps);
    expect(w).toMatchObject({ ok: false, error: { retryable: false } });
    expect(w.calls.filter((c) => c.outcome === "final_error")).toHaveLength(1);
    expect(w.calls.at(-1)?.status).toBe(p === "kubernetes" ? 422 : 400);
    expect(deps.sleeps).toEqual([]);
    expect(s.capacity()).toBe(2);
  });

  it("a timeout is recorded and retried", async () => {
    let n = 0;
    const { s, deps } = make(p, (h) => async (req) => {
      if (n++ === 0) throw new DOMException("The operation timed out.", "TimeoutError");
      return h(req);
    });
    const r = await impl.read(s.target, deps);
    expect(r.ok).toBe(true);
    expect(r.calls[0]).toMatchObject({ outcome: "timeout", status: null, errorCode: "timeout" });
  });

  it("a missing secret is recorded and nothing is sent; no secret in any record", async () => {
    const { s, deps } = make(p);
    const none = { ...deps, secrets: {} };
    for (const r of [await impl.read(s.target, none), await impl.write(s.target, intent, none)]) {
      expect(r).toMatchObject({ ok: false, error: { code: "missing_secret" } });
      expect(r.calls).toEqual([expect.objectContaining({ outcome: "missing_secret", status: null })]);
    }
    expect(s.requests()).toBe(0);
    s.fault({ kind: "throttling", count: 1 });
    const text = JSON.stringify([...(await impl.read(s.target, deps)).calls, ...(await impl.write(s.target, intent, deps)).calls]);
    for (const v of Object.values(s.secrets)) expect(text).not.toContain(v);
  });
});
