import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/scheduler/providers/index.js";
import { parseFakeCloudArgs } from "../../support/fake-clouds/args.js";
import { testDeps } from "../../support/fake-clouds/deps.js";
import { createFakeClouds, DEMO, routeFake } from "../../support/fake-clouds/index.js";

describe("fake-clouds dispatcher (scripts/fake-clouds.ts serves this handler)", () => {
  it("routes each API to its fake by path", () => {
    expect(routeFake("POST", "/")).toBe("aws");
    expect(routeFake("GET", "/compute/v1/projects/p/zones/z/instanceGroupManagers/g")).toBe("gcp");
    expect(routeFake("POST", "/token")).toBe("gcp");
    expect(routeFake("POST", "/tenant-1/oauth2/v2.0/token")).toBe("azure");
    expect(routeFake("PATCH", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachineScaleSets/n")).toBe("azure");
    expect(routeFake("GET", "/apis/apps/v1/namespaces/d/deployments/w/scale")).toBe("kubernetes");
    expect(routeFake("POST", "/webhook")).toBe("webhook");
    expect(routeFake("GET", "/")).toBeNull();
  });

  it("seeds through /_fake/aws/seed, then the AWS provider scales the group with the demo keys", async () => {
    const clouds = await createFakeClouds();
    const seeded = await clouds.handler(new Request("http://127.0.0.1:1/_fake/aws/seed", { method: "POST", body: JSON.stringify({ groups: [{ name: "demo", desired: 2, min: 1, max: 20 }] }) }));
    expect(seeded.status).toBe(200);
    const [id = "", secret = ""] = Object.entries(DEMO.awsKeys)[0] ?? [];
    const deps = testDeps(clouds.handler, { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret });
    const t = { pool: "p", provider: "aws" as const, target: { region: "us-east-1", group: "demo" }, endpoint: "http://127.0.0.1:1" };
    expect(await PROVIDERS.aws.read(t, deps)).toMatchObject({ ok: true, capacity: { current: 2 } });
    expect((await PROVIDERS.aws.write(t, { runId: "r", current: 2, desired: 9, reason: "x", forecast: null }, deps)).ok).toBe(true);
    const state = (await (await clouds.handler(new Request("http://127.0.0.1:1/_fake/state"))).json()) as { aws: { groups: { name: string; capacity: number }[]; calls: unknown[] } };
    expect(state.aws.groups).toEqual([expect.objectContaining({ name: "demo", capacity: 9 })]);
    expect(state.aws.calls).toHaveLength(2);
    const fault = await clouds.handler(new Request("http://127.0.0.1:1/_fake/aws/fault", { method: "POST", body: JSON.stringify({ kind: "throttling", count: 1 }) }));
    expect(fault.status).toBe(200);
    expect((await PROVIDERS.aws.read(t, deps)).calls[0]?.errorCode).toBe("Throttling");
  });

  it("parses the CLI", () => {
    expect(parseFakeCloudArgs(["--port", "8790", "--aws-key", "AKID:se:cret", "--seed-aws", "web:2:1:10", "--seed-aws", "api:3:0:5"])).toEqual({
      port: 8790,
      awsKeys: { AKID: "se:cret" },
      groups: [
        { name: "web", capacity: 2, min: 1, max: 10 },
        { name: "api", capacity: 3, min: 0, max: 5 },
      ],
    });
    expect(parseFakeCloudArgs([]).awsKeys).toEqual(DEMO.awsKeys);
    expect(() => parseFakeCloudArgs(["--seed-aws", "web:x"])).toThrow(/name:desired:min:max/);
    expect(() => parseFakeCloudArgs(["--port"])).toThrow(/needs a value/);
  });
});
