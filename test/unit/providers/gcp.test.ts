import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import { managerUrl } from "../../../src/scheduler/providers/gcp.js";
import { clearTokenCache } from "../../../src/scheduler/providers/token-cache.js";
import type { ProviderTarget, ScaleIntent } from "../../../src/scheduler/providers/types.js";
import { testDeps } from "../../support/fake-clouds/deps.js";
import { createFakeGcp, makeServiceAccount, type ServiceAccountKey } from "../../support/fake-clouds/gcp.js";

const gcp = PROVIDERS.gcp;
const zonal: ProviderTarget = { pool: "api", provider: "gcp", target: { project: "p1", zone: "europe-west1-b", group: "mig-a" }, endpoint: "http://127.0.0.1:1" };
const regional: ProviderTarget = { pool: "api", provider: "gcp", target: { project: "p1", region: "europe-west1", group: "mig-r" }, endpoint: "http://127.0.0.1:1" };
const intent: ScaleIntent = { runId: "run-7", current: 3, desired: 6, reason: "forecast", forecast: { model: "hw", peak: 120, horizon_s: 900 } };

let sa: { key: ServiceAccountKey; publicKeyPem: string };
beforeAll(async () => {
  sa = await makeServiceAccount();
});
beforeEach(() => clearTokenCache());

function setup(publicKeyPem = sa.publicKeyPem) {
  const fake = createFakeGcp({
    publicKeyPem,
    now: () => deps.clock,
    clientEmail: sa.key.client_email,
    groups: [
      { name: "projects/p1/zones/europe-west1-b/instanceGroupManagers/mig-a", capacity: 3, min: 0, max: 50 },
      { name: "projects/p1/regions/europe-west1/instanceGroupManagers/mig-r", capacity: 2, min: 0, max: 50 },
    ],
  });
  const json = JSON.stringify(sa.key);
  const deps = testDeps(fake.handler, { GCP_SERVICE_ACCOUNT_JSON: json });
  return { fake, json, deps };
}

describe("gcp provider against the fake Compute API", () => {
  it("builds zonal and regional manager URLs", () => {
    expect(managerUrl(zonal.target)).toBe("https://compute.googleapis.com/compute/v1/projects/p1/zones/europe-west1-b/instanceGroupManagers/mig-a");
    expect(managerUrl(regional.target, "http://127.0.0.1:9")).toBe("http://127.0.0.1:9/compute/v1/projects/p1/regions/europe-west1/instanceGroupManagers/mig-r");
  });

  it("reads targetSize then resizes, zonal and regional, with a JWT the fake verified", async () => {
    const { fake, deps } = setup();
    expect(await gcp.read(zonal, deps)).toMatchObject({ ok: true, capacity: { current: 3 } });
    expect(await gcp.write(zonal, intent, deps)).toMatchObject({ ok: true, desired: 6 });
    expect(await gcp.read(regional, deps)).toMatchObject({ ok: true, capacity: { current: 2 } });
    expect((await gcp.write(regional, { ...intent, desired: 4 }, deps)).ok).toBe(true);
    expect(fake.groups.get("projects/p1/zones/europe-west1-b/instanceGroupManagers/mig-a")?.capacity).toBe(6);
    expect(fake.groups.get("projects/p1/regions/europe-west1/instanceGroupManagers/mig-r")?.capacity).toBe(4);
    expect(fake.tokensIssued).toBe(1);
  });

  it("a JWT signed by another key is refused by the token endpoint (final)", async () => {
    const other = await makeServiceAccount();
    const { fake, deps } = setup(other.publicKeyPem);
    const r = await gcp.read(zonal, deps);
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_grant", retryable: false } });
    expect(fake.tokensIssued).toBe(0);
  });

  it("caches the token across runs and refreshes it near expiry", async () => {
    const { fake, deps } = setup();
    await gcp.read(zonal, deps);
    await gcp.read(zonal, { ...deps, deadline: deps.deadline + 10 * 60_000 });
    expect(fake.tokensIssued).toBe(1);
    deps.clock += 3599_000 - 4 * 60_000; // inside the 5-minute refresh margin
    const later = { ...deps, now: () => deps.clock, deadline: deps.clock + 60_000 };
    expect((await gcp.read(zonal, later)).ok).toBe(true);
    expect(fake.tokensIssued).toBe(2);
  });

  it("a token the API refuses (401) is dropped, so the next run fetches a new one", async () => {
    const { fake, deps } = setup();
    await gcp.read(zonal, deps);
    fake.fault({ kind: "401", count: 1, action: "get" });
    expect(await gcp.read(zonal, deps)).toMatchObject({ ok: false, error: { code: "authError", retryable: false } });
    expect((await gcp.read(zonal, deps)).ok).toBe(true);
    expect(fake.tokensIssued).toBe(2);
  });

  it("keeps the requestId stable across a retried resize; 403 rateLimitExceeded is retried", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "throttling", count: 1, action: "resize" });
    const w = await gcp.write(zonal, intent, deps);
    expect(w.ok).toBe(true);
    expect(w.calls.find((c) => c.action === "resize" && c.attempt === 1)).toMatchObject({ status: 403, errorCode: "rateLimitExceeded", outcome: "retryable_error" });
    const resizes = fake.calls.filter((c) => c.action === "resize");
    expect(resizes).toHaveLength(2);
    const ids = resizes.map((c) => new URL(`http://x${c.path}`).searchParams.get("requestId"));
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it("412 conditionNotMet (autoscaled regional group) is final, one attempt", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "412", count: 1, action: "resize" });
    const w = await gcp.write(regional, intent, deps);
    expect(w).toMatchObject({ ok: false, error: { code: "conditionNotMet", retryable: false } });
    expect(fake.calls.filter((c) => c.action === "resize")).toHaveLength(1);
    expect(deps.sleeps).toEqual([]);
  });

  it("a missing secret is recorded without a request; no key or token in any record", async () => {
    const { fake, json, deps } = setup();
    const r = await gcp.read(zonal, { ...deps, secrets: {} });
    expect(r.calls).toEqual([expect.objectContaining({ outcome: "missing_secret", errorCode: "missing_secret" })]);
    expect(fake.calls).toHaveLength(0);
    const all = [...(await gcp.read(zonal, deps)).calls, ...(await gcp.write(zonal, intent, deps)).calls];
    const text = JSON.stringify(all);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain("ya29.");
    expect(text).not.toContain(json.slice(0, 40));
  });
});
