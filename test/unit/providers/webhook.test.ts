import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import type { ProviderTarget, ScaleIntent } from "../../../src/scheduler/providers/types.js";
import { signWebhook } from "../../../src/scheduler/providers/webhook.js";
import { testDeps } from "../../support/fake-clouds/deps.js";
import { createFakeWebhook, verifyStandardWebhook } from "../../support/fake-clouds/webhook.js";

const hook = PROVIDERS.webhook;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const t: ProviderTarget = { pool: "api", provider: "webhook", target: { url: "https://hooks.example.com/webhook" }, endpoint: "http://127.0.0.1:1" };
const intent: ScaleIntent = { runId: "run-3", current: 2, desired: 4, reason: "forecast_peak", forecast: { model: "holt_winters", peak: 88, horizon_s: 900 } };

function setup() {
  const deps0 = testDeps(async () => new Response(null), {});
  const fake = createFakeWebhook({ secret: SECRET, now: () => deps.clock, groups: [{ name: "api", capacity: 2, min: 0, max: 10 }] });
  const deps = testDeps(fake.handler, { WEBHOOK_SECRET: SECRET }, { start: deps0.clock });
  return { fake, deps };
}

describe("webhook provider against a Standard Webhooks receiver", () => {
  it("reads with a signed GET, then delivers a signed body naming pool, current, desired, reason and forecast", async () => {
    const { fake, deps } = setup();
    expect(await hook.read(t, deps)).toMatchObject({ ok: true, capacity: { current: 2 } });
    expect(await hook.write(t, intent, deps)).toMatchObject({ ok: true, desired: 4 });
    expect(fake.deliveries).toEqual([{ type: "scaling.desired", run_id: "run-3", pool: "api", current: 2, desired: 4, reason: "forecast_peak", forecast: intent.forecast }]);
    expect(fake.groups.get("api")?.capacity).toBe(4);
  });

  it("the signature verifies and a tampered body fails", async () => {
    const body = '{"pool":"api","desired":4}';
    const h = await signWebhook(SECRET, "msg_1", 1_700_000_000, body);
    expect(h["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(await verifyStandardWebhook(SECRET, "msg_1", "1700000000", body, h["webhook-signature"] ?? "")).toBe(true);
    expect(await verifyStandardWebhook(SECRET, "msg_1", "1700000000", body.replace("4", "40"), h["webhook-signature"] ?? "")).toBe(false);
    const { fake, deps } = setup();
    const tampering = { ...deps, fetch: async (input: Request | string, init?: RequestInit) => fake.handler(new Request(input, { ...init, body: String(init?.body).replace('"desired":4', '"desired":40') })) };
    const w = await hook.write(t, intent, tampering);
    expect(w).toMatchObject({ ok: false, error: { code: "http_401", retryable: false } });
    expect(fake.groups.get("api")?.capacity).toBe(2);
  });

  it("retries a 500 with the same webhook-id; a missing secret sends nothing; no signature in records", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "500", count: 1, action: "deliver" });
    const w = await hook.write(t, intent, deps);
    expect(w.ok).toBe(true);
    const ids = fake.calls.filter((c) => c.action === "deliver").map((c) => c.headers["webhook-id"]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    expect(JSON.stringify(w.calls)).not.toMatch(/v1,|whsec_/);
    const n = fake.calls.length;
    expect(await hook.write(t, intent, { ...deps, secrets: {} })).toMatchObject({ ok: false, error: { code: "missing_secret" } });
    expect(fake.calls.length).toBe(n);
  });

  it("a receiver without a read answers read_unsupported (final)", async () => {
    const deps = testDeps(async () => new Response("no", { status: 405 }), { WEBHOOK_SECRET: SECRET });
    expect(await hook.read(t, deps)).toMatchObject({ ok: false, error: { code: "read_unsupported", retryable: false } });
  });
});
