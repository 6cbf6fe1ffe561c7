import { edgeConfigSchema, type BreakerConfig } from "../config/schema";
import { writeEvents, type OutboxRow } from "./events";
import { handleReport } from "./report";
import { applyCommand, newRecord, onTimer, snapshotOf, type AdminAction, type BreakerRecord, type Transition } from "./state-machine";
import type { BreakerSnapshot, ReportReply, ReportRequest } from "./types";

const DEFAULT_BREAKER: BreakerConfig = edgeConfigSchema.shape.breaker.parse(undefined);
const OUTBOX_RETRY_MS = 30_000;

export interface ObjectView extends BreakerSnapshot {
  origin: string;
  pool: string;
}

export type CoreStorage = Pick<DurableObjectStorage, "sql" | "setAlarm" | "deleteAlarm" | "getAlarm">;

/**
 * What the breaker object does with its storage, apart from the transport that reaches it
 * (native RPC in BreakerObject; bench/itty/worker.js puts itty-durable in front of the same
 * core). State lives in SQLite as one JSON row written before each reply; transitions go to
 * an outbox table and from there to D1. Call load() inside blockConcurrencyWhile.
 */
export class BreakerCore {
  private rec!: BreakerRecord;
  private config: BreakerConfig = DEFAULT_BREAKER;
  private origin = "";
  private pool = "";
  private alarmAt: number | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly storage: CoreStorage,
    private readonly db: D1Database | undefined,
    /** The object's clock and randomness; `offset` is the runtime tests' seam (object time minus real time). */
    private readonly clock: { now(): number; offset(): number; random(): number },
  ) {}

  async load(): Promise<void> {
    const sql = this.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS breaker (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, row TEXT NOT NULL)");
    const row = sql.exec<{ v: string }>("SELECT v FROM breaker WHERE k = 'state'").toArray()[0];
    if (row) {
      const saved = JSON.parse(row.v) as { rec: BreakerRecord; config: BreakerConfig; origin: string; pool: string };
      ({ rec: this.rec, config: this.config, origin: this.origin, pool: this.pool } = saved);
    } else this.rec = newRecord(this.clock.now(), this.config);
    this.alarmAt = await this.storage.getAlarm();
  }

  private ctx() {
    return { now: this.clock.now(), random: this.clock.random, config: this.config };
  }

  async report(req: ReportRequest, config: BreakerConfig): Promise<ReportReply> {
    this.config = config;
    this.identify(req.origin, req.pool);
    // An alarm can lag its time slightly; apply a due open -> half_open before the outcomes.
    const transitions = onTimer(this.rec, this.ctx());
    const { reply, transitions: more } = handleReport(this.rec, req, this.ctx());
    transitions.push(...more);
    if (req.outcomes.length > 0 || reply.leases > 0 || transitions.length > 0) await this.commit(transitions);
    return reply;
  }

  status(origin: string): ObjectView {
    this.identify(origin, "");
    return { ...snapshotOf(this.rec, this.clock.now()), origin: this.origin, pool: this.pool };
  }

  async command(origin: string, action: AdminAction): Promise<ObjectView> {
    this.identify(origin, "");
    await this.commit(applyCommand(this.rec, action, this.ctx()));
    return this.status(origin);
  }

  async alarm(): Promise<void> {
    this.alarmAt = null; // a fired alarm is gone
    await this.commit(onTimer(this.rec, this.ctx()));
  }

  private identify(origin: string, pool: string): void {
    if (origin) this.origin = origin;
    if (pool) this.pool = pool;
  }

  /** Persists state and transitions synchronously, then ships events and re-arms the alarm. */
  private async commit(transitions: readonly Transition[]): Promise<void> {
    const sql = this.storage.sql;
    const saved = { rec: this.rec, config: this.config, origin: this.origin, pool: this.pool };
    sql.exec("INSERT OR REPLACE INTO breaker (k, v) VALUES ('state', ?)", JSON.stringify(saved));
    for (const t of transitions) {
      const row: OutboxRow = { origin: this.origin, pool: this.pool, transition: t };
      sql.exec("INSERT INTO outbox (row) VALUES (?)", JSON.stringify(row));
    }
    const pending = transitions.length > 0 || this.pendingEvents() > 0;
    if (pending) await this.flushOutbox();
    await this.schedule(pending);
  }

  private pendingEvents(): number {
    return this.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  /** One alarm serves both timers; storage is touched only when its time changes. */
  private async schedule(checkOutbox: boolean): Promise<void> {
    const due: number[] = [];
    if (this.rec.state === "open" && this.rec.openUntil !== null) due.push(this.rec.openUntil - this.clock.offset());
    if (checkOutbox && this.pendingEvents() > 0) due.push(this.clock.now() - this.clock.offset() + OUTBOX_RETRY_MS);
    const at = due.length === 0 ? null : Math.min(...due);
    if (at === this.alarmAt) return;
    this.alarmAt = at;
    if (at === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(at);
  }

  /** Ships outbox rows to D1; on failure they stay for the alarm's retry (logged, never thrown). */
  private flushOutbox(): Promise<void> {
    this.flushing ??= (async () => {
      const sql = this.storage.sql;
      const rows = sql.exec<{ seq: number; row: string }>("SELECT seq, row FROM outbox ORDER BY seq LIMIT 200").toArray();
      if (rows.length === 0) return;
      try {
        if (!this.db) throw new Error("no D1 binding");
        await writeEvents(this.db, rows.map((r) => JSON.parse(r.row) as OutboxRow));
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
