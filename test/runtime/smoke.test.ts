import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("runtime", () => {
  it("has D1 with migrations applied", async () => {
    const r = await env.DB.prepare("SELECT count(*) AS n FROM config_versions").first<{ n: number }>();
    expect(r?.n).toBe(0);
  });
});
