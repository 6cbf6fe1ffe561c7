import { describe, expect, it } from "vitest";
import { ConfigCache } from "../../../src/config/cache";
import { edgeConfigSchema } from "../../../src/config/schema";
import type { ActiveConfig } from "../../../src/config/store";

const config = edgeConfigSchema.parse({ steering: { policy: "failover" }, pools: [{ id: "p", origins: [{ id: "o", url: "https://o.example" }] }] });
const v = (version: number): ActiveConfig => ({ version, config });

function harness(answers: (ActiveConfig | "unchanged" | null | Error)[]) {
  let now = 0;
  const calls: number[] = [];
  const cache = new ConfigCache(
    async (known) => {
      calls.push(known);
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a ?? "unchanged";
    },
    () => now,
    5000,
  );
  return { cache, calls, advance: (ms: number) => (now += ms) };
}

describe("ConfigCache", () => {
  it("a cold isolate waits for D1 once; warm reads never wait", async () => {
    const h = harness([v(3)]);
    expect(h.cache.current).toBeUndefined();
    expect((await h.cache.ensure())?.version).toBe(3);
    expect(h.cache.refreshIfDue()).toBeUndefined();
    expect(h.calls).toEqual([0]);
  });

  it("checks D1 at most once per interval, passing the version it serves", async () => {
    const h = harness([v(1), "unchanged", v(2)]);
    await h.cache.ensure();
    h.advance(4999);
    expect(h.cache.refreshIfDue()).toBeUndefined();
    h.advance(1);
    await h.cache.refreshIfDue();
    expect(h.cache.current?.version).toBe(1);
    h.advance(5000);
    await h.cache.refreshIfDue();
    expect(h.cache.current?.version).toBe(2);
    expect(h.calls).toEqual([0, 1, 1]);
  });

  it("keeps serving the last config while D1 fails, and says why", async () => {
    const h = harness([v(7), new Error("D1 unavailable"), new Error("D1 unavailable")]);
    await h.cache.ensure();
    h.advance(5000);
    await h.cache.refreshIfDue();
    expect(h.cache.current?.version).toBe(7);
    expect(h.cache.lastError).toBe("D1 unavailable");
    h.advance(5000);
    await h.cache.refreshIfDue();
    expect(h.cache.current?.version).toBe(7);
  });

  it("switches to a lower version too (a restored database wins)", async () => {
    const h = harness([v(9), v(4)]);
    await h.cache.ensure();
    h.advance(5000);
    await h.cache.refreshIfDue();
    expect(h.cache.current?.version).toBe(4);
  });

  it("a PUT installed while a read is in flight is not overwritten by that older read", async () => {
    let release: (a: ActiveConfig) => void = () => undefined;
    let now = 0;
    const cache = new ConfigCache(
      (known) => (known === 0 ? Promise.resolve(v(1)) : new Promise<ActiveConfig>((r) => (release = r))),
      () => now,
      5000,
    );
    await cache.ensure();
    now = 5000;
    const inflight = cache.refreshIfDue();
    cache.install(v(2));
    release(v(1));
    await inflight;
    expect(cache.current?.version).toBe(2);
  });
});
