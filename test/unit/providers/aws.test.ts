import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import type { ProviderTarget, ScaleIntent } from "../../../src/scheduler/providers/types.js";
import { createFakeAws } from "../../support/fake-clouds/aws.js";
import { testDeps } from "../../support/fake-clouds/deps.js";

const KEY = "AKIDEXAMPLEDEMO00001";
const SECRET = "demoSecretKeyDoNotUseInProduction000001";
const secrets = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET };
const t: ProviderTarget = { pool: "api", provider: "aws", target: { region: "eu-west-1", group: "web-asg" }, endpoint: "http://127.0.0.1:9999" };
const intent = (desired: number): ScaleIntent => ({ runId: "run-1", current: 2, desired, reason: "forecast", forecast: null });
const aws = PROVIDERS.aws;

function setup() {
  const fake = createFakeAws({ keys: { [KEY]: SECRET }, groups: [{ name: "web-asg", capacity: 2, min: 1, max: 10 }] });
  return { fake, deps: testDeps(fake.handler, secrets) };
}

describe("aws provider against the fake Auto Scaling API", () => {
  it("reads DescribeAutoScalingGroups then SetDesiredCapacity changes the group, signed for autoscaling/region", async () => {
    const { fake, deps } = setup();
    const r = await aws.read(t, deps);
    expect(r).toMatchObject({ ok: true, capacity: { current: 2, min: 1, max: 10 } });
    const w = await aws.write(t, intent(5), deps);
    expect(w).toMatchObject({ ok: true, desired: 5 });
    expect(fake.groups.get("web-asg")?.capacity).toBe(5);
    expect(fake.calls.map((c) => [c.action, c.status])).toEqual([
      ["DescribeAutoScalingGroups", 200],
      ["SetDesiredCapacity", 200],
    ]);
    expect(fake.calls[1]?.body).toContain("Version=2011-01-01");
    expect(w.calls[0]).toMatchObject({ provider: "aws", action: "SetDesiredCapacity", status: 200, outcome: "ok", attempt: 1 });
  });

  it("a wrong secret fails the fake's independent SigV4 check and is final", async () => {
    const { fake } = setup();
    const deps = testDeps(fake.handler, { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: "wrong-secret-key-000000" });
    const r = await aws.read(t, deps);
    expect(r.ok).toBe(false);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({ status: 403, outcome: "final_error", errorCode: "SignatureDoesNotMatch" });
  });

  it("an unknown group is a final group_not_found (AWS answers an empty list)", async () => {
    const { deps } = setup();
    const r = await aws.read({ ...t, target: { region: "eu-west-1", group: "nope" } }, deps);
    expect(r).toMatchObject({ ok: false, error: { code: "group_not_found", retryable: false } });
  });

  it("retries Throttling sent as HTTP 400, then succeeds", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "throttling", count: 2, action: "SetDesiredCapacity" });
    const w = await aws.write(t, intent(4), deps);
    expect(w.ok).toBe(true);
    expect(w.calls.map((c) => [c.status, c.outcome, c.errorCode, c.attempt])).toEqual([
      [400, "retryable_error", "Throttling", 1],
      [400, "retryable_error", "Throttling", 2],
      [200, "ok", null, 3],
    ]);
    // full jitter with random()=0.5: half of 250·2^(n-1)
    expect(deps.sleeps).toEqual([125, 250]);
    expect(fake.groups.get("web-asg")?.capacity).toBe(4);
  });

  it("honours 429 Retry-After in seconds and as an HTTP date", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "429", count: 1, retryAfter: "7" });
    fake.fault({ kind: "429", count: 1, retryAfter: new Date(deps.now() + 7_000 + 3_000).toUTCString() });
    const r = await aws.read(t, deps);
    expect(r.ok).toBe(true);
    expect(deps.sleeps).toEqual([7_000, 3_000]);
  });

  it("a ValidationError is final, recorded once, not retried", async () => {
    const { fake, deps } = setup();
    const w = await aws.write(t, intent(50), deps);
    expect(w).toMatchObject({ ok: false, error: { code: "ValidationError", retryable: false } });
    expect(w.calls).toHaveLength(1);
    expect(w.calls[0]?.message).toContain("above max value 10");
    expect(deps.sleeps).toEqual([]);
    expect(fake.groups.get("web-asg")?.capacity).toBe(2);
  });

  it("5xx is retried until the deadline, then the deadline is recorded instead of sleeping past it", async () => {
    const { fake } = setup();
    const deps = testDeps(fake.handler, secrets, { budgetMs: 400, random: () => 0.99 });
    fake.fault({ kind: "500", count: 100 });
    const r = await aws.read(t, deps);
    expect(r).toMatchObject({ ok: false, error: { code: "InternalFailure", retryable: true } });
    expect(r.calls.at(-1)).toMatchObject({ outcome: "deadline", status: null });
    expect(r.calls.filter((c) => c.outcome === "retryable_error").length).toBeGreaterThanOrEqual(2);
    expect(deps.now()).toBeLessThan(deps.deadline);
  });

  it("ResourceContention (500) is retried", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "contention", count: 1, action: "SetDesiredCapacity" });
    const w = await aws.write(t, intent(3), deps);
    expect(w.ok).toBe(true);
    expect(w.calls[0]).toMatchObject({ errorCode: "ResourceContention", outcome: "retryable_error" });
  });

  it("a timeout is recorded as timeout and retried", async () => {
    const { fake } = setup();
    let first = true;
    const deps = testDeps(async (req) => {
      if (first) {
        first = false;
        throw new DOMException("The operation timed out.", "TimeoutError");
      }
      return fake.handler(req);
    }, secrets);
    const r = await aws.read(t, deps);
    expect(r.ok).toBe(true);
    expect(r.calls[0]).toMatchObject({ outcome: "timeout", status: null, errorCode: "timeout" });
  });

  it("a missing secret is recorded without a request", async () => {
    const { fake } = setup();
    const deps = testDeps(fake.handler, { AWS_ACCESS_KEY_ID: KEY });
    const r = await aws.read(t, deps);
    expect(r).toMatchObject({ ok: false, error: { code: "missing_secret" } });
    expect(r.calls).toEqual([expect.objectContaining({ outcome: "missing_secret", status: null, errorCode: "missing_secret" })]);
    expect(r.calls[0]?.message).toContain("AWS_SECRET_ACCESS_KEY");
    expect(fake.calls).toHaveLength(0);
  });

  it("no secret or signature appears in any call record", async () => {
    const { fake, deps } = setup();
    fake.fault({ kind: "throttling", count: 1 });
    const all = [...(await aws.read(t, deps)).calls, ...(await aws.write(t, intent(6), deps)).calls];
    const text = JSON.stringify(all);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
    expect(text).not.toMatch(/Signature=|[0-9a-f]{64}/);
  });
});
