import { DurableObject } from "cloudflare:workers";
import { edgeConfigSchema, type BreakerConfig } from "../config/schema";
import type { Env } from "../env";
import { writeEvents, type OutboxRow } from "./events";
import { handleReport } from "./report";
import {
  applyCommand,
  newRecord,
  onTimer,
  snapshotOf,
  type AdminAction,
  type BreakerRecord,
  type Transition,
} from "./state-machine";
import type { BreakerSnapshot, ReportReply, ReportRequest } from "./types";

const DEFAULT_BREAKER: BreakerConfig = edgeConfigSchema.shape.breaker.parse(undefined);
const OUTBOX_RETRY_MS = 30_000;

export interface ObjectView extends BreakerSnapshot {
  origin: string;
  pool: string;
}

/**
 * The authoritative breaker of one origin (one object per origin id, idFromName(originId)).
 * A thin shell: state loads inside blockConcurrencyWhile, every RPC hands off to the pure
 * state machine, and each mutation is written to SQLite before the reply (so it survives
 * eviction and restart). The alarm drives open -> half_open and retries the D1 outbox.
 */
export class BreakerObject extends DurableObject<Env> {
  private rec!: BreakerRecord;
  private config: BreakerConfig = DEFAULT_BREAKER;
  private origin = "";
  private pool = "";
  private flushing: Promise<void> | null = null;
  /** Test seam: shifts this object's clock (runtime tests advance time without sleeping). */
  clockOffsetMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec("CREATE TABLE IF NOT EXISTS breaker (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
      sql.exec("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, row TEXT NOT NULL)");
      const row = sql.exec<{ v: string }>("SELECT v FROM breaker WHERE k = 'state'").toArray()[0];
      if (row) {
        const saved = JSON.parse(row.v) as { rec: BreakerRecord; config: BreakerConfig; origin: string; pool: string };
        this.rec = saved.rec;
        this.config = saved.config;
        this.origin = saved.origin;
        this.pool = saved.pool;
      } else this.rec = newRecord(this.now(), this.config);
    });
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private ctxNow(): { now: number; random: () => number; config: BreakerConfig } {
    return { now: this.now(), random: Math.random, config: this.config };
  }

  /** Batched outcomes from one isolate, plus a refresh and (in half-open) probe leases. */
  async report(req: ReportRequest, config: BreakerConfig): Promise<ReportReply> {
    this.config = config;
    this.identify(req.origin, req.pool);
    // An alarm can lag its time slightly; apply a due open -> half_open before the outcomes.
    const transitions = onTimer(this.rec, this.ctxNow());
    const { reply, transitions: more } = handleReport(this.rec, req, this.ctxNow());
    transitions.push(...more);
    if (req.outcomes.length > 0 || reply.leases > 0 || transitions.length > 0) await this.commit(transitions);
    return reply;
  }

  async status(origin: string): Promise<ObjectView> {
    this.identify(origin, "");
    return { ...snapshotOf(this.rec, this.now()), origin: this.origin, pool: this.pool };
  }

  async command(origin: string, action: AdminAction): Promise<ObjectView> {
    this.identify(origin, "");
    await this.commit(applyCommand(this.rec, action, this.ctxNow()));
    return this.status(origin);
  }

  override async alarm(): Promise<void> {
    await this.commit(onTimer(this.rec, this.ctxNow()));
  }

  private identify(origin: string, pool: string): void {
    if (origin) this.origin = origin;
    if (pool) this.pool = pool;
  }

  /** Persists state and transitions synchronously, then schedules the alarm and ships events. */
  private async commit(transitions: readonly Transition[]): Promise<void> {
    const sql = this.ctx.storage.sql;
    const saved = { rec: this.rec, config: this.config, origin: this.origin, pool: this.pool };
    sql.exec("INSERT OR REPLACE INTO breaker (k, v) VALUES ('state', ?)", JSON.stringify(saved));
    for (const t of transitions) {
      const row: OutboxRow = { origin: this.origin, pool: this.pool, transition: t };
      sql.exec("INSERT INTO outbox (row) VALUES (?)", JSON.stringify(row));
    }
    if (transitions.length > 0 || this.pendingEvents() > 0) await this.flushOutbox();
    await this.schedule();
  }

  private pendingEvents(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  private async schedule(): Promise<void> {
    const due: number[] = [];
    if (this.rec.state === "open" && this.rec.openUntil !== null) due.push(this.rec.openUntil - this.clockOffsetMs);
    if (this.pendingEvents() > 0) due.push(Date.now() + OUTBOX_RETRY_MS);
    if (due.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...due));
  }

  /** Ships outbox rows to D1; on failure they stay for the next alarm (logged, never thrown). */
  private flushOutbox(): Promise<void> {
    this.flushing ??= (async () => {
      const sql = this.ctx.storage.sql;
      const rows = sql.exec<{ seq: number; row: string }>("SELECT seq, row FROM outbox ORDER BY seq LIMIT 200").toArray();
      if (rows.length === 0) return;
      try {
        await writeEvents(this.env.DB, rows.map((r) => JSON.parse(r.row) as OutboxRow));
        sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1]?.seq ?? 0);
      } catch (err) {
        console.warn("breaker: D1 breaker_events write failed; will retry", { origin: this.origin, err: String(err) });
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }
}
