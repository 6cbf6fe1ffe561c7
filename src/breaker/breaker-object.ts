import { DurableObject } from "cloudflare:workers";
import type { BreakerConfig } from "../config/schema";
import type { Env } from "../env";
import { BreakerCore, type ObjectView } from "./object-core";
import type { AdminAction } from "./state-machine";
import type { ReportReply, ReportRequest } from "./types";

export type { ObjectView } from "./object-core";

/**
 * The authoritative breaker of one origin (one object per origin id: idFromName(originId)),
 * reached over native RPC. A thin shell: state loads inside blockConcurrencyWhile, each
 * method hands off to BreakerCore (storage) and the pure state machine, and the alarm drives
 * open -> half_open and retries the D1 outbox. Native RPC rather than itty-durable's
 * fetch-routed stubs: measured in bench/breaker-itty.mjs (README, dependency table).
 */
export class BreakerObject extends DurableObject<Env> {
  private readonly core: BreakerCore;
  /** Test seam: shifts this object's clock (runtime tests advance time without sleeping). */
  clockOffsetMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The shell is where the real clock and randomness are read (STYLE.md rule 3).
    const clock = { now: () => Date.now() + this.clockOffsetMs, offset: () => this.clockOffsetMs, random: () => Math.random() };
    this.core = new BreakerCore(ctx.storage, env.DB, clock);
    void ctx.blockConcurrencyWhile(() => this.core.load());
  }

  /** Batched outcomes from one isolate, plus a refresh and (in half-open) probe leases. */
  async report(req: ReportRequest, config: BreakerConfig): Promise<ReportReply> {
    return this.core.report(req, config);
  }

  async status(origin: string): Promise<ObjectView> {
    return this.core.status(origin);
  }

  async command(origin: string, action: AdminAction): Promise<ObjectView> {
    return this.core.command(origin, action);
  }

  override async alarm(): Promise<void> {
    await this.core.alarm();
  }
}
