import { beforeEach, describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import { clearTokenCache } from "../../../src/scheduler/providers/token-cache.js";
import type { ProviderTarget, ScaleIntent } from "../../../src/scheduler/providers/types.js";
import { createFakeAzure } from "../../support/fake-clouds/azure.js";
import { testDeps } from "../../support/fake-clouds/deps.js";

const azure = PROVIDERS.azure;
const secrets = { AZURE_TENANT_ID: "tenant-1", AZURE_CLIENT_ID: "client-1", AZURE_CLIENT_SECRET: "s3cr3t-client-value", AZURE_SUBSCRIPTION_ID: "sub-1" };
const t: ProviderTarget = { pool: "api", provider: "azure", target: { resource_group: "rg", scale_set: "vmss" }, endpoint: "http://127.0.0.1:1" };
const intent: ScaleIntent = { runId: "r", current: 2, desired: 5, reason: "forecast", forecast: null };

beforeEach(() => clearTokenCache());

function setup() {
  const fake = createFakeAzure({ tenant: "tenant-1", clientId: "client-1", clientSecret: "s3cr3t-client-value", groups: [{ name: "sub-1/rg/vmss", capacity: 2, min: 0, max: 100 }] });
  return { fake, deps: testDeps(fake.handler, secrets) };
}

describe("azure provider against the fake ARM API", () => {
  it("token, GET, PATCH sku.capacity with If-Match on the etag", async () => {
    const { fake, deps } = setup();
    expect(await azure.read(t, deps)).toMatchObject({ ok: true, capacity: { current: 2 } });
    const w = await azure.write(t, intent, deps);
    expect(w).toMatchObject({ ok: true, desired: 5 });
    expect(fake.groups.get("sub-1/rg/vmss")?.capacity).toBe(5);
    const patch = fake.calls.find((c) => c.action === "patch");
    expect(patch?.headers["if-match"]).toBe('"1"');
    expect(JSON.parse(patch?.body ?? "{}")).toEqual({ sku: { capacity: 5 } });
    expect(patch?.path).toContain("api-version=2024-07-01");
    expect(fake.tokensIssued).toBe(1);
  });

  it("412 PreconditionFailed is final, not retried", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "412", count: 1, action: "patch" });
    const w = await azure.write(t, intent, deps);
    expect(w).toMatchObject({ ok: false, error: { code: "PreconditionFailed", retryable: false } });
    expect(fake.calls.filter((c) => c.action === "patch")).toHaveLength(1);
  });

  it("429 with Retry-After is honoured, then succeeds", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "429", count: 1, action: "patch", retryAfter: "12" });
    const w = await azure.write(t, intent, deps);
    expect(w.ok).toBe(true);
    expect(deps.sleeps).toEqual([12_000]);
  });

  it("a wrong client secret is a final invalid_client; a missing one sends nothing", async () => {
    const { fake } = setup();
    const bad = await azure.read(t, testDeps(fake.handler, { ...secrets, AZURE_CLIENT_SECRET: "wrong-value" }));
    expect(bad).toMatchObject({ ok: false, error: { code: "invalid_client", retryable: false } });
    const before = fake.calls.length;
    const miss = await azure.read(t, testDeps(fake.handler, { ...secrets, AZURE_SUBSCRIPTION_ID: "" }));
    expect(miss).toMatchObject({ ok: false, error: { code: "missing_secret" } });
    expect(miss.calls[0]?.message).toContain("AZURE_SUBSCRIPTION_ID");
    expect(fake.calls.length).toBe(before);
  });

  it("no secret or token in any record", async () => {
    const { deps } = setup();
    const text = JSON.stringify([...(await azure.read(t, deps)).calls, ...(await azure.write(t, intent, deps)).calls]);
    expect(text).not.toContain("s3cr3t-client-value");
    expect(text).not.toContain("eyJ0eXAi");
  });
});
