import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, edge, GEO, putConfigOk, runScheduled } from "./edge";
import { origin, originHits, setKnobs } from "./origins";

/** Active health checks from the cron: probes mark an origin down and up, and routing follows. */

interface Status {
  pools: { id: string; healthy: boolean; origins: { id: string; healthy: boolean; health: { healthy: boolean; last_error: string | null } }[] }[];
}

async function originsServed(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await edge("/h", { geo: GEO.US });
    expect(r.status).toBe(200);
    out.push(r.headers.get("x-edge-origin") ?? "");
  }
  return out;
}

describe("active health checks", () => {
  it("takes an origin out after consecutive_down failed probes and back after consecutive_up passes", async () => {
    const a = await origin("h-a");
    const b = await origin("h-b");
    await putConfigOk({
      debug_headers: true,
      steering: { policy: "failover" },
      pools: [
        {
          id: "hp",
          selection: "round_robin",
          health: { path: "/healthz", interval_s: 30, timeout_ms: 1000, expected_codes: "2xx", consecutive_up: 2, consecutive_down: 2 },
          origins: [{ id: "h-a", url: a }, { id: "h-b", url: b }],
        },
      ],
    });
    const t0 = Date.now();
    await setKnobs("h-a", { status: 503 });
    const hitsBefore = await originHits("h-a");
    try {
      await runScheduled(t0);
      // One failed probe is not enough. (Between cron runs h-a answers traffic normally,
      // so only the probes fail and the breakers stay out of it.)
      await setKnobs("h-a", { status: 0 });
      expect(new Set(await originsServed(4))).toEqual(new Set(["h-a", "h-b"]));
      await setKnobs("h-a", { status: 503 });
      await runScheduled(t0 + 60_000);
      await setKnobs("h-a", { status: 0 });
      const status = (await (await edge("/_edge/api/status", { headers: ADMIN })).json()) as Status;
      const ha = status.pools[0]!.origins.find((o) => o.id === "h-a")!;
      expect(ha.healthy).toBe(false);
      expect(ha.health.last_error).toBe("status 503 not in 2xx");
      expect(status.pools[0]!.healthy).toBe(true);
      await originsServed(1); // the isolate picks up the down set in the background
      const hitsDown = await originHits("h-a");
      expect(await originsServed(6)).toEqual(Array(6).fill("h-b"));
      expect(await originHits("h-a")).toBe(hitsDown); // not even attempted
    } finally {
      await setKnobs("h-a", { status: 0 });
    }
    await runScheduled(t0 + 120_000);
    await runScheduled(t0 + 180_000);
    await originsServed(1);
    expect(new Set(await originsServed(4))).toEqual(new Set(["h-a", "h-b"]));
    expect(await originHits("h-a")).toBeGreaterThan(hitsBefore);
    const events = await env.DB.prepare("SELECT count(*) AS n, sum(healthy) AS up FROM health_events WHERE origin = 'h-a'").first<{ n: number; up: number }>();
    expect(events).toEqual({ n: 4, up: 2 });
  });
});
