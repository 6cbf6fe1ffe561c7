import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { EdgeConfigInput } from "../../src/config/schema";
import { ADMIN, edge, GEO, putConfigOk, runScheduled } from "./edge";
import { origin, setKnobs } from "./origins";

/** Telemetry through the worker: proxied requests → isolate aggregate → cron flush → D1 → /metrics. */

let config: EdgeConfigInput;
beforeAll(async () => {
  const a = await origin("t-a", "t");
  const b = await origin("t-b", "t");
  config = {
    debug_headers: true,
    steering: { policy: "failover" },
    pools: [{ id: "tp", selection: "round_robin", origins: [{ id: "t-a", url: a }, { id: "t-b", url: b }] }],
  };
});

interface Row {
  origin: string;
  country: string;
  requests: number;
  errors: number;
  errors_5xx: number;
  errors_4xx: number;
  retries: number;
  p50_ms: number | null;
}

async function metrics(): Promise<Row[]> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 120_000).toISOString();
  const res = await edge(`/_edge/api/metrics?from=${from}&to=${to}&pool=tp`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: Row[] }).rows;
}

const sum = (rows: Row[], k: keyof Row) => rows.reduce((a, r) => a + Number(r[k]), 0);

describe("telemetry through the worker", () => {
  it("N concurrent requests give exactly N requests in D1, per origin as served", async () => {
    await putConfigOk(config);
    const n = 60;
    const served = await Promise.all(
      Array.from({ length: n }, (_, i) => edge(`/item/${i}`, { geo: i % 2 ? GEO.DE : GEO.JP }).then((r) => r.headers.get("x-edge-origin"))),
    );
    await runScheduled();
    const rows = await metrics();
    expect(sum(rows, "requests")).toBe(n);
    expect(sum(rows.filter((r) => r.origin === "t-a"), "requests")).toBe(served.filter((o) => o === "t-a").length);
    expect(sum(rows.filter((r) => r.country === "DE"), "requests")).toBe(n / 2);
    expect(sum(rows, "errors")).toBe(0);
    expect(rows.every((r) => r.p50_ms !== null)).toBe(true);
    const d1 = await env.DB.prepare("SELECT sum(requests) AS n FROM rollup_minute WHERE pool = 'tp'").first<{ n: number }>();
    expect(d1?.n).toBe(n);
  });

  it("a retried 503 counts one 5xx on the failing origin and one retry on the other; a 404 is the client's", async () => {
    await putConfigOk(config);
    await setKnobs("t-a", { status: 503 });
    try {
      // Round robin from a random offset: send until the first attempt lands on t-a.
      let retried: Response | undefined;
      for (let i = 0; i < 4 && !retried; i++) {
        const r = await edge("/x", { geo: GEO.DE });
        if (r.headers.get("x-edge-attempts") === "2") retried = r;
      }
      expect(retried?.status).toBe(200);
    } finally {
      await setKnobs("t-a", { status: 0 });
    }
    await setKnobs("t-b", { status: 404 });
    await setKnobs("t-a", { status: 404 });
    try {
      expect((await edge("/missing", { geo: GEO.DE })).status).toBe(404);
    } finally {
      await setKnobs("t-a", { status: 0 });
      await setKnobs("t-b", { status: 0 });
    }
    await runScheduled();
    const rows = await metrics();
    expect(sum(rows, "retries")).toBe(1);
    expect(sum(rows.filter((r) => r.origin === "t-a"), "errors_5xx")).toBeGreaterThanOrEqual(1);
    expect(sum(rows, "errors_4xx")).toBe(1);
    expect(sum(rows, "errors")).toBe(sum(rows, "errors_5xx"));
  });

  it("rejects a bad metrics query with the field's path, and needs the admin token", async () => {
    const bad = await edge("/_edge/api/metrics?from=yesterday", { headers: ADMIN });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query", issues: [{ path: "from" }] });
    expect((await edge("/_edge/api/metrics")).status).toBe(401);
  });
});
