import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/schema";

const valid = () => ({
  steering: { policy: "failover" },
  pools: [{ id: "p", origins: [{ id: "o", url: "https://o.example" }] }],
});

describe("config parser", () => {
  it.each([
    ["not a URL", [{ id: "o", url: "not a url" }]],
    ["not a URL, with other bad fields", [{ id: "", url: "::::", weight: -1 }, { id: "o2", url: 7 }]],
    ["credentials", [{ id: "o", url: "https://user:pw@o.example" }]],
    ["empty user", [{ id: "o", url: "https://@o.example" }]],
    ["ftp", [{ id: "o", url: "ftp://o.example" }]],
    ["javascript", [{ id: "o", url: "javascript:alert(1)" }]],
    ["file", [{ id: "o", url: "file:///etc/passwd" }]],
    ["query", [{ id: "o", url: "https://o.example/?a=1" }]],
  ])("answers issues, never throws: %s", (_why, origins) => {
    const r = parseConfig({ ...valid(), pools: [{ id: "p", origins }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.some((i) => i.path.startsWith("pools.0.origins.0"))).toBe(true);
  });

  it("never throws on any JSON value, and every issue names a path and a message", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseConfig(v);
        if (!r.ok) for (const i of r.issues) expect(typeof i.message).toBe("string");
      }),
      { numRuns: 300 },
    );
  });

  it("never throws when any field of a valid config is replaced by anything", () => {
    const paths = [["pools", 0, "origins", 0, "url"], ["pools", 0, "origins", 0], ["pools", 0, "id"], ["steering"], ["retries"], ["breaker", "window"], ["pools", 0, "scaling"], ["pools", 0, "affinity"]];
    const anything = fc.oneof(fc.jsonValue(), fc.string(), fc.webUrl(), fc.constantFrom("http://[::1", "https://", "http://a b", "http://%zz", "//x", "http:\\\\x"));
    fc.assert(
      fc.property(fc.constantFrom(...paths), anything, (path, v) => {
        const c = valid() as Record<string | number, unknown>;
        let at: Record<string | number, unknown> = c;
        for (const k of path.slice(0, -1)) {
          const next = at[k];
          if (typeof next !== "object" || next === null) return;
          at = next as Record<string | number, unknown>;
        }
        at[path[path.length - 1]!] = v;
        expect(() => parseConfig(c)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
