/**
 * Per-try deadlines for every attempt in flight in the isolate, enforced by one watchdog
 * instead of a timer set and cleared per attempt. In workerd profiles `setTimeout` plus
 * `clearTimeout` were the largest single cost of a routed request (20–30 µs under load);
 * here an attempt costs a Set insert and delete.
 *
 * The watchdog is a loop in the context of the request that started it (its promise goes
 * to that request's ctx.waitUntil, which keeps the context, and so its timer, alive after
 * the response). It wakes at the earliest pending deadline or after SLICE_MS, whichever is
 * first (never sooner than GRANULARITY_MS), expires what is due, and stops when it wakes to
 * nothing pending: it holds its request's context at most SLICE_MS past the last attempt,
 * and under steady traffic costs 1000 / SLICE_MS timers a second, not one per attempt.
 *
 * Only the watchdog's own timer resumes it. Requests of one isolate share a thread and may
 * abort one another's fetch (checked under workerd), but a promise that one request's
 * waitUntil holds must not be settled from another request: workerd refuses that ("Cannot
 * perform I/O on behalf of a different request"), so settle() never wakes the loop.
 *
 * A watchdog can die with its request's context (Cloudflare ends waitUntil work 30 s after
 * the response). Its tenure is therefore capped: after TENURE_MS the next attempt starts a
 * successor, and an attempt that finds the watchdog more than LATE_MS overdue replaces it.
 * Under `wrangler dev` a watchdog was seen to stop once its request had answered: the next
 * request's hung attempt, left to it, waited forever (test/e2e/security.test.ts). So a
 * watchdog whose request has ended (release()) is not trusted with new deadlines either.
 * Clock and sleep are injected.
 */

/** How much later than its deadline an attempt may be expired, at most, while traffic flows. */
export const GRANULARITY_MS = 10;
/** The longest the watchdog sleeps: how long it outlives the last attempt it watched. */
export const SLICE_MS = 50;
/** A watchdog this far past its planned wake is taken for dead and replaced. */
export const LATE_MS = 100;
/** After this long a watchdog hands over to one started by a newer request. */
export const TENURE_MS = 20_000;

export interface Deadline {
  /** Epoch ms after which the attempt is out of time. */
  readonly at: number;
  /** Called once, when the deadline passes before settle(). */
  expire(): void;
}

export interface DeadlineDeps {
  now(): number;
  /** Resolves after `ms`, on a timer of the calling request. */
  sleep(ms: number): Promise<void>;
}

export class Deadlines {
  private readonly pending = new Set<Deadline>();
  /** The running watchdog: its identity, when it started, when it next wakes. */
  private owner: object | null = null;
  /** The request whose context runs the watchdog; null once it has ended (see release()). */
  private ownerRequest: object | null | undefined = undefined;
  private ownerSince = 0;
  private wakeAt = Number.POSITIVE_INFINITY;
  readonly stats = { watchdogs: 0, wakes: 0, expired: 0 };

  constructor(private readonly deps: DeadlineDeps) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Tracks a deadline until settle(). Returns a watchdog for the caller's ctx.waitUntil when
   * this call had to start one (none running, the running one dead or retiring, or this
   * deadline earlier than its next wake); otherwise undefined.
   */
  add(d: Deadline, now?: number, request?: object): Promise<void> | undefined {
    this.pending.add(d);
    if (this.owner !== null && this.ownerRequest !== null && d.at >= this.wakeAt) {
      now ??= this.deps.now();
      if (now <= this.wakeAt + LATE_MS && now - this.ownerSince < TENURE_MS) return undefined;
    }
    this.ownerRequest = request;
    return this.watch();
  }

  /** The request `request` has answered: a watchdog it runs may not outlive it. */
  release(request: object): void {
    if (this.ownerRequest === request) this.ownerRequest = null;
  }

  /** The attempt ended (answer, error or its own timeout): its deadline no longer matters. */
  settle(d: Deadline): void {
    this.pending.delete(d);
  }

  private async watch(): Promise<void> {
    const me = {};
    this.owner = me;
    this.ownerSince = this.deps.now();
    this.stats.watchdogs += 1;
    for (;;) {
      const now = this.deps.now();
      let next = Number.POSITIVE_INFINITY;
      for (const d of this.pending) {
        if (d.at <= now) {
          this.pending.delete(d);
          this.stats.expired += 1;
          d.expire();
        } else if (d.at < next) next = d.at;
      }
      if (next === Number.POSITIVE_INFINITY) break;
      this.wakeAt = now + Math.max(GRANULARITY_MS, Math.min(next - now, SLICE_MS));
      await this.deps.sleep(this.wakeAt - now);
      // A successor took over (this one was late, retiring, or woke too late for a deadline).
      if (this.owner !== me) return;
      this.stats.wakes += 1;
    }
    this.owner = null;
    this.wakeAt = Number.POSITIVE_INFINITY;
  }
}
