import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("runtime", () => {
  it("has D1 with migrations applied", async () => {
    const r = await env.DB.prepare("SELECT count(*) AS n FROM config_versions").first<{ n: number }>();
    expect(r?.n).toBe(0);
  });
  it("reaches the breaker Durable Object over RPC", async () => {
    const stub = env.BREAKER.get(env.BREAKER.idFromName("x"));
    expect(await stub.ping()).toBe("pong");
  });
});
