import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { decideAcquire, decideRelease, type AcquireResult, type LeaseHolder } from "./lease";

const KEY = "holder";

/**
 * The scheduler's lease (one object for the fleet: idFromName("scheduler")), reached over
 * native RPC. Thin: each method reads the holder, hands it to the pure decision (lease.ts)
 * and stores the answer. A Durable Object runs one event's storage work at a time (input
 * gates), so a get and put inside one method cannot interleave with another caller's.
 */
export class SchedulerLease extends DurableObject<Env> {
  async acquire(owner: string, now: number, ttlMs: number): Promise<AcquireResult> {
    const held = (await this.ctx.storage.get<LeaseHolder>(KEY)) ?? null;
    const d = decideAcquire(held, owner, now, ttlMs);
    if (d.store) await this.ctx.storage.put(KEY, d.store);
    return d.result;
  }

  async release(owner: string): Promise<boolean> {
    const held = (await this.ctx.storage.get<LeaseHolder>(KEY)) ?? null;
    if (!decideRelease(held, owner)) return false;
    await this.ctx.storage.delete(KEY);
    return true;
  }
}
