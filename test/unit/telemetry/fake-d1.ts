import type { FlushDb } from "../../../src/telemetry/telemetry";

/**
 * A D1 stand-in for the flush logic: it understands only the two statement shapes a flush
 * sends (the flush-id insert and the multi-row upsert), totals the committed `requests` and
 * `dropped` literals, and can be told to fail the next batches, before or after "committing".
 */
export class FakeD1 {
  ids = new Set<string>();
  requests = 0;
  dropped = 0;
  batches = 0;
  statements = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Queue of behaviours for the next batches; empty means succeed. */
  plan: ("fail" | "commit-then-fail")[] = [];

  asDb(): FlushDb {
    const prepare = (sql: string) => {
      const stmt = {
        sql,
        params: [] as unknown[],
        bind: (...p: unknown[]) => ({ ...stmt, params: p }),
      };
      return stmt;
    };
    const batch = async (stmts: { sql: string; params: unknown[] }[]) => {
      this.batches += 1;
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await Promise.resolve();
      this.inFlight -= 1;
      const mode = this.plan.shift();
      if (mode === "fail") throw new Error("D1_ERROR: Network connection lost.");
      const ids = new Set(this.ids);
      let req = 0;
      let drop = 0;
      for (const s of stmts) {
        if (s.sql.startsWith("INSERT INTO telemetry_flush")) {
          const id = String(s.params[0]);
          if (ids.has(id)) throw new Error("D1_ERROR: UNIQUE constraint failed: telemetry_flush.id: SQLITE_CONSTRAINT");
          ids.add(id);
        } else {
          // (minute,?a,?b,?c,?d,requests,connect,timeout,5xx,4xx,retries,bytes,latency_sum,dropped,…)
          for (const m of s.sql.matchAll(/\(\d+,\?\d+,\?\d+,\?\d+,\?\d+,(\d+),\d+,\d+,\d+,\d+,\d+,\d+,[\d.e+-]+,(\d+),/g)) {
            req += Number(m[1]);
            drop += Number(m[2]);
          }
        }
      }
      this.statements += stmts.length;
      this.ids = ids;
      this.requests += req;
      this.dropped += drop;
      if (mode === "commit-then-fail") throw new Error("D1_ERROR: Network connection lost.");
      return [];
    };
    return { prepare, batch } as unknown as FlushDb;
  }
}
