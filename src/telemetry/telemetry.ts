import { Aggregate } from "./aggregate.js";
import { buildUpserts } from "./sql.js";
import type { FlushResult, RequestSample, TelemetryStats } from "./types.js";

/**
 * The D1 surface a flush needs (its test seam). Structural, so a `D1Database` fits and
 * Node-side benches and tests need no Workers types.
 */
export interface FlushStatement {
  bind(...values: unknown[]): FlushStatement;
}
export interface FlushDb {
  prepare(sql: string): FlushStatement;
  batch(statements: FlushStatement[]): Promise<unknown>;
}

export interface TelemetryDeps {
  now: () => number;
  /** Flush when this much time has passed since the last flush (default 10 s). */
  flushIntervalMs?: number;
  /** Flush as soon as this many distinct keys are pending (default 500). */
  maxKeys?: number;
  /** Off: `record` is a no-op and nothing is flushed (the bench's A/B switch). */
  enabled?: boolean;
  /**
   * Timer seam. When given, `maybeFlush` on an isolate with pending counts but no flush due
   * returns one deferred flush (at most one armed at a time), so an isolate whose traffic
   * stops still flushes within the interval while `waitUntil` keeps it alive (≤ 30 s).
   */
  sleep?: (ms: number) => Promise<void>;
  /** Flush ids (default crypto.randomUUID). */
  newId?: () => string;
}

const DUPLICATE_FLUSH = /UNIQUE constraint failed: telemetry_flush\.id/;
const FLUSH_ID_SQL = "INSERT INTO telemetry_flush (id, at) VALUES (?1, ?2)";

/**
 * Isolate-local telemetry: `record` aggregates in memory; flushes are batched additive
 * upserts (src/telemetry/sql.ts) sent in one D1 transaction with the flush's id.
 *
 * Failure policy (fail-open for the request path: telemetry never fails a request):
 * a failed batch is kept and retried once, under the same id, at the next flush; if the
 * retry fails too its counts are given up, but their sample count is written as `dropped`
 * on the same keys by a later successful flush, so loss shows in the rollups themselves.
 * Because the id commits with the upserts, a retry of a batch that did commit (answer
 * lost) fails on the id and is recognised as already applied: no double count.
 */
export class Telemetry {
  readonly stats: TelemetryStats = { statements: 0, flushes: 0, failedFlushes: 0, droppedRequests: 0 };
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private readonly enabled: boolean;
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly newId: () => string;
  private fresh: Aggregate;
  private retry: { agg: Aggregate; id: string } | null = null;
  private lost = new Aggregate();
  private lastFlushAt: number;
  private inflight: Promise<FlushResult> | null = null;
  private armed = false;

  constructor(deps: TelemetryDeps) {
    this.now = deps.now;
    this.intervalMs = deps.flushIntervalMs ?? 10_000;
    this.maxKeys = Math.max(1, deps.maxKeys ?? 500);
    this.enabled = deps.enabled ?? true;
    this.sleep = deps.sleep;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.fresh = this.newAggregate();
    this.lastFlushAt = deps.now();
  }

  // Past 8× the flush size new countries fold into "ZZ": memory stays bounded while D1 is slow.
  private newAggregate(): Aggregate {
    return new Aggregate(this.maxKeys * 8);
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** What is waiting to be written (for tests and the status page). */
  get pending(): { keys: number; requests: number; retrying: boolean; droppedKeys: number } {
    return { keys: this.fresh.size, requests: this.fresh.requestCount(), retrying: this.retry !== null, droppedKeys: this.lost.size };
  }

  record(s: RequestSample): void {
    if (this.enabled) this.fresh.add(s);
  }

  private due(now: number): boolean {
    if (this.fresh.size >= this.maxKeys) return true;
    const waiting = this.fresh.size > 0 || this.retry !== null || this.lost.size > 0;
    return waiting && now - this.lastFlushAt >= this.intervalMs;
  }

  /** For ctx.waitUntil: a flush when due (time or size), else undefined. Never rejects. */
  maybeFlush(db: FlushDb, now = this.now()): Promise<void> | undefined {
    if (!this.enabled || this.inflight) return undefined;
    if (this.due(now)) return this.flush(db).then(() => undefined);
    const waiting = this.fresh.size > 0 || this.retry !== null || this.lost.size > 0;
    if (!this.sleep || this.armed || !waiting) return undefined;
    this.armed = true;
    return this.sleep(Math.max(0, this.lastFlushAt + this.intervalMs - now))
      .then(async () => {
        this.armed = false;
        if (!this.inflight && this.due(this.now())) await this.flush(db);
      })
      .catch(() => {
        this.armed = false;
      });
  }

  /** Flushes whatever is pending now (tests, shutdown, the cron). Never rejects. */
  async flushNow(db: FlushDb): Promise<FlushResult> {
    // One flush at a time: two would race for the single retry slot.
    while (this.inflight) await this.inflight;
    return this.flush(db);
  }

  /** Precondition: no flush in flight (callers check `inflight` synchronously first). */
  private flush(db: FlushDb): Promise<FlushResult> {
    const p = this.runFlush(db).finally(() => {
      if (this.inflight === p) this.inflight = null;
    });
    this.inflight = p;
    return p;
  }

  private async runFlush(db: FlushDb): Promise<FlushResult> {
    const at = this.now();
    this.lastFlushAt = at;
    const result: FlushResult = { ok: true, rows: 0, requests: 0, statements: 0, dropped: 0 };
    const reasons: string[] = [];

    const retry = this.retry;
    this.retry = null;
    if (retry) {
      const r = await this.write(db, retry.agg, retry.id, at, true);
      result.statements += r.statements;
      if (r.ok) {
        result.rows += r.rows;
        result.requests += r.requests;
      } else {
        const lost = this.lost.mergeAsDropped(retry.agg);
        this.stats.droppedRequests += lost;
        result.dropped += lost;
        reasons.push(`retry failed, ${lost} samples dropped: ${r.reason}`);
      }
    }

    const batch = this.fresh;
    this.fresh = this.newAggregate();
    batch.merge(this.lost);
    this.lost = new Aggregate();
    if (batch.size > 0) {
      const id = this.newId();
      const r = await this.write(db, batch, id, at, false);
      result.statements += r.statements;
      if (r.ok) {
        result.rows += r.rows;
        result.requests += r.requests;
      } else {
        this.retry = { agg: batch, id };
        reasons.push(`flush failed, kept for one retry: ${r.reason}`);
      }
    }
    if (reasons.length > 0) {
      result.ok = false;
      result.reason = reasons.join("; ");
    }
    return result;
  }

  private async write(
    db: FlushDb,
    agg: Aggregate,
    id: string,
    at: number,
    isRetry: boolean,
  ): Promise<{ ok: boolean; rows: number; requests: number; statements: number; reason?: string }> {
    const upserts = buildUpserts(agg.values());
    const statements = upserts.length + 1;
    const rows = upserts.reduce((n, u) => n + u.rows, 0);
    const requests = agg.requestCount();
    this.stats.statements += statements;
    try {
      const stmts = [db.prepare(FLUSH_ID_SQL).bind(id, at), ...upserts.map((u) => db.prepare(u.sql).bind(...u.params))];
      await db.batch(stmts);
      this.stats.flushes += 1;
      return { ok: true, rows, requests, statements };
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      // The first attempt committed and only its answer was lost: nothing to write again.
      if (isRetry && DUPLICATE_FLUSH.test(reason)) return { ok: true, rows: 0, requests: 0, statements };
      this.stats.failedFlushes += 1;
      return { ok: false, rows: 0, requests: 0, statements, reason };
    }
  }
}
