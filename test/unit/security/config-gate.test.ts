import { describe, expect, it } from "vitest";
import { ConfigCache } from "../../../src/config/cache";
import { privateOriginIssues } from "../../../src/config/private-origins";
import { edgeConfigSchema } from "../../../src/config/schema";
import type { ActiveConfig } from "../../../src/config/store";

const at = (version: number, url: string): ActiveConfig => ({
  version,
  config: edgeConfigSchema.parse({ steering: { policy: "failover" }, pools: [{ id: "p", origins: [{ id: "o", url }] }] }),
});

function cache(answers: (ActiveConfig | "unchanged")[]) {
  const known: number[] = [];
  let now = 0;
  const c = new ConfigCache(
    async (k) => {
      known.push(k);
      return answers.shift() ?? "unchanged";
    },
    () => now,
    1000,
    (next) => privateOriginIssues(next.config, true),
  );
  return { c, known, tick: () => (now += 1000) };
}

describe("a config loaded from D1 passes the production guard before it is served", () => {
  it("a cold isolate serves nothing and says why", async () => {
    const h = cache([at(4, "http://[::ffff:7f00:1]:9000")]);
    expect(await h.c.ensure()).toBeUndefined();
    expect(h.c.rejected?.version).toBe(4);
    expect(h.c.rejected?.issues[0]?.path).toBe("pools.0.origins.0.url");
  });
  it("a warm isolate keeps its last good config (fail static), then takes the next good one", async () => {
    const h = cache([at(1, "https://good.example"), at(2, "http://127.0.0.1:1"), "unchanged", at(3, "https://next.example")]);
    await h.c.ensure();
    h.tick();
    await h.c.refreshIfDue();
    expect(h.c.current?.version).toBe(1);
    expect(h.c.rejected?.version).toBe(2);
    h.tick();
    await h.c.refreshIfDue();
    h.tick();
    await h.c.refreshIfDue();
    expect(h.c.current?.version).toBe(3);
    expect(h.c.rejected).toBeUndefined();
    // The refused version is not downloaded again: D1 is asked with it as the known one.
    expect(h.known).toEqual([0, 1, 2, 2]);
  });
});
