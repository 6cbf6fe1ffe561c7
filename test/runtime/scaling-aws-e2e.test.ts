import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EdgeConfigInput } from "../../src/config/schema";
import { createFakeAws } from "../support/fake-clouds/aws";
import { DEMO } from "../support/fake-clouds/index";
import { ADMIN, edge, putConfigOk } from "./edge";
import { MIN, seedRollups, scaledPool } from "./scaling-seed";

/**
 * End to end through the worker's entry with the real AWS provider: rising traffic in the
 * rollups → POST /_edge/api/scheduler/run → a DescribeAutoScalingGroups, then a SigV4-signed
 * SetDesiredCapacity above the current capacity, reach the fake AWS (which re-verifies every
 * signature with @smithy/signature-v4) → GET /_edge/api/scaling shows the decision and calls.
 * The fake is reached through the pool's `endpoint` and an outbound fetch mock in this isolate.
 */

const FAKE = "http://fake-aws.test";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("scaling against the fake AWS", () => {
  it("reads, then sets the planned capacity with a signed call, and records both", async () => {
    const fake = createFakeAws({ keys: DEMO.awsKeys, groups: [{ name: "asg-e2e", capacity: 2, min: 1, max: 20 }] });
    const seen: { url: string; authorization: string | null }[] = [];
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (!req.url.startsWith(FAKE)) return real(req);
      seen.push({ url: req.url, authorization: req.headers.get("authorization") });
      return fake.handler(req);
    });
    await putConfigOk({ steering: { policy: "failover" }, pools: [scaledPool("e2e", { endpoint: FAKE })] } as EdgeConfigInput);
    const now = Date.now();
    await seedRollups("e2e", now, 180, (t) => 600 + 60_000 * Math.max(0, 1 - (now - t) / (180 * MIN)));

    const res = await edge("/_edge/api/scheduler/run", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { run_id: string; pools: { pool: string; plan: { current: number; desired: number; reason: string }; calls: { action: string; outcome: string; status: number }[] }[] };
    const pool = body.pools.find((p) => p.pool === "e2e")!;
    expect(pool.plan).toMatchObject({ current: 2, desired: 6, reason: "step_limit" });
    expect(pool.calls.map((c) => [c.action, c.outcome])).toEqual([
      ["DescribeAutoScalingGroups", "ok"],
      ["SetDesiredCapacity", "ok"],
    ]);

    // The fake saw the read first, then the write with the planned value; both signed for eu-west-1/autoscaling.
    expect(fake.calls.map((c) => [c.action, c.status])).toEqual([
      ["DescribeAutoScalingGroups", 200],
      ["SetDesiredCapacity", 200],
    ]);
    const write = new URLSearchParams(fake.calls[1]!.body);
    expect(write.get("AutoScalingGroupName")).toBe("asg-e2e");
    expect(write.get("DesiredCapacity")).toBe("6");
    expect(fake.groups.get("asg-e2e")?.capacity).toBe(6);
    for (const s of seen) expect(s.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEDEMO00000001\/\d{8}\/eu-west-1\/autoscaling\/aws4_request, /);

    const audit = (await (await edge("/_edge/api/scaling?pool=e2e", { headers: ADMIN })).json()) as {
      decisions: { run_id: string; current: number; desired: number; reason: string; mode: string }[];
      calls: { run_id: string; action: string; status: number; outcome: string; error_code: string | null; attempt: number; latency_ms: number }[];
    };
    expect(audit.decisions[0]).toMatchObject({ run_id: body.run_id, current: 2, desired: 6, reason: "step_limit", mode: "forecast_and_scale" });
    expect(audit.calls.map((c) => c.action).sort()).toEqual(["DescribeAutoScalingGroups", "SetDesiredCapacity"]);
    expect(audit.calls.every((c) => c.run_id === body.run_id && c.status === 200 && c.attempt === 1 && c.error_code === null)).toBe(true);
    const text = JSON.stringify(audit);
    expect(text).not.toContain(DEMO.awsKeys.AKIAFAKEDEMO00000001);
    expect(text).not.toMatch(/Signature=|AWS4-HMAC/);
    expect(env.AWS_ACCESS_KEY_ID).toBe("AKIAFAKEDEMO00000001");

    // A second run a minute later reads 6 first and goes on from there: never 2 → 6 again.
    const again = await edge("/_edge/api/scheduler/run", { method: "POST", headers: ADMIN });
    expect(again.status).toBe(200);
    const writes = fake.calls.filter((c) => c.action === "SetDesiredCapacity").map((c) => new URLSearchParams(c.body).get("DesiredCapacity"));
    expect(writes[0]).toBe("6");
    expect(writes.slice(1).every((d) => Number(d) > 6)).toBe(true);
  });
});
