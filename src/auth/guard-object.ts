import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { EMPTY, type LimiterState, type Verdict, check, forgetAt, recordFailure } from "./limiter";

/**
 * Failed admin-auth attempts of one client key (the object is named by the key, see
 * AuthGuardClient): the state lives in this object's SQLite, so every isolate and colo
 * counts against the same limit. Thin: the rules are src/auth/limiter.ts. An alarm forgets
 * the key once its state has decayed, so abandoned keys leave no storage behind.
 */
export class AuthGuard extends DurableObject<Env> {
  private state: LimiterState = EMPTY;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS guard (k INTEGER PRIMARY KEY CHECK (k = 0), window_start INTEGER, failures INTEGER, blocked_until INTEGER, lockouts INTEGER)",
      );
      const row = ctx.storage.sql.exec<{ window_start: number; failures: number; blocked_until: number; lockouts: number }>("SELECT * FROM guard WHERE k = 0").toArray()[0];
      if (row) this.state = { windowStart: row.window_start, failures: row.failures, blockedUntil: row.blocked_until, lockouts: row.lockouts };
    });
  }

  /** One failed attempt; answers whether the key is now locked out. */
  async fail(): Promise<Verdict> {
    const now = Date.now();
    const { state, verdict } = recordFailure(this.state, now);
    if (state !== this.state) {
      this.state = state;
      this.ctx.storage.sql.exec(
        "INSERT OR REPLACE INTO guard (k, window_start, failures, blocked_until, lockouts) VALUES (0, ?, ?, ?, ?)",
        state.windowStart,
        state.failures,
        state.blockedUntil,
        state.lockouts,
      );
      await this.ctx.storage.setAlarm(forgetAt(state));
    }
    return verdict;
  }

  status(): Verdict {
    return check(this.state, Date.now());
  }

  override async alarm(): Promise<void> {
    if (Date.now() < forgetAt(this.state)) return void (await this.ctx.storage.setAlarm(forgetAt(this.state)));
    this.state = EMPTY;
    await this.ctx.storage.deleteAll();
  }
}
