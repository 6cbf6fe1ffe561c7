import { describe, expect, it } from "vitest";
import { parseMetricsQuery } from "../../../src/telemetry/metrics-query";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const q = (s: string) => parseMetricsQuery(new URLSearchParams(s), NOW);

describe("parseMetricsQuery", () => {
  it("reads from, to, pool and origin", () => {
    expect(q("from=2026-11-22T10:00:00Z&to=2026-11-22T11:00:00.000Z&pool=eu&origin=eu-1")).toEqual({
      ok: true,
      query: { from: Date.UTC(2026, 10, 22, 10), to: Date.UTC(2026, 10, 22, 11), pool: "eu", origin: "eu-1" },
    });
  });
  it("defaults to the last hour", () => {
    expect(q("")).toEqual({ ok: true, query: { from: NOW - 3_600_000, to: NOW } });
  });
  it("accepts offsets", () => {
    const r = q(`from=${encodeURIComponent("2026-11-22T12:00:00+02:00")}&to=2026-11-22T11:00:00Z`);
    expect(r.ok && r.query.from).toBe(Date.UTC(2026, 10, 22, 10));
  });
  it("names the field that is wrong", () => {
    const bad = q("from=yesterday");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]?.path).toBe("from");
    expect(q("from=2026-11-22T11:00:00Z&to=2026-11-22T10:00:00Z").ok).toBe(false);
    expect(q("from=2026-11-01T00:00:00Z&to=2026-11-22T00:00:00Z").ok).toBe(false);
    expect(q("limit=0").ok).toBe(false);
  });
});
