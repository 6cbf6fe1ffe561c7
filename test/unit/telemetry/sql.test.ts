import { describe, expect, it } from "vitest";
import { Aggregate } from "../../../src/telemetry/aggregate";
import { buildUpserts, D1_LIMITS } from "../../../src/telemetry/sql";
import type { RequestSample } from "../../../src/telemetry/types";

const s = (pool: string, origin: string, country: string, minute = 0): RequestSample => ({
  at: 1_700_000_040_000 + minute * 60_000, pool, origin, country, colo: "FRA", outcome: "ok", latencyMs: 20, bytes: 10, retry: false,
});

describe("buildUpserts", () => {
  it("fits a realistic flush (3 pools × 2 origins × 30 countries × 2 minutes) in one statement", () => {
    const a = new Aggregate();
    const codes = Array.from({ length: 30 }, (_, i) => String.fromCharCode(65 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));
    for (const p of ["a", "b", "c"]) for (const o of ["1", "2"]) for (const c of codes) for (const m of [0, 1]) a.add(s(p, `${p}${o}`, c, m));
    const out = buildUpserts(a.values());
    expect(out).toHaveLength(1);
    expect(out[0]!.rows).toBe(360);
    expect(out[0]!.params.length).toBeLessThanOrEqual(D1_LIMITS.maxParams);
    expect(out[0]!.sql.length).toBeLessThan(100_000);
  });

  it("binds each distinct string once and never puts key text into the SQL", () => {
    const a = new Aggregate();
    a.add(s("p'x", "o;1", "DE"));
    a.add(s("p'x", "o;1", "FR"));
    const [st] = buildUpserts(a.values());
    expect(st!.params).toEqual(["p'x", "o;1", "DE", "FRA", "FR"]);
    expect(st!.sql).not.toContain("p'x");
    expect(st!.sql).toContain("(1700000040000,?1,?2,?3,?4,1,");
    expect(st!.sql).toContain("requests = requests + excluded.requests");
    expect(st!.sql).toContain("h33 = h33 + excluded.h33");
  });

  it("splits into more statements when distinct strings pass the parameter limit", () => {
    const a = new Aggregate();
    for (let i = 0; i < 120; i++) a.add(s("pool", `origin-${i}`, "DE"));
    const out = buildUpserts(a.values(), { maxParams: 100, maxSqlChars: 90_000, maxRows: 400 });
    expect(out.length).toBe(2);
    for (const st of out) expect(st.params.length).toBeLessThanOrEqual(100);
    expect(out.reduce((n, st) => n + st.rows, 0)).toBe(120);
  });

  it("splits on rows per statement", () => {
    const a = new Aggregate();
    for (let i = 0; i < 600; i++) a.add(s("pool", "o", "DE", i));
    const out = buildUpserts(a.values());
    expect(out.map((st) => st.rows)).toEqual([400, 200]);
  });

  it("splits on SQL size", () => {
    const a = new Aggregate();
    for (let i = 0; i < 50; i++) a.add(s("pool", "o", "DE", i));
    const out = buildUpserts(a.values(), { maxParams: 100, maxSqlChars: 2000, maxRows: 400 });
    expect(out.length).toBeGreaterThan(5);
    for (const st of out) expect(st.sql.length).toBeLessThan(2000 + 1200);
    expect(out.reduce((n, st) => n + st.rows, 0)).toBe(50);
  });
});
