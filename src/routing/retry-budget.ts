/** Schedules `fn` after `ms`; returns a function that cancels it. Injected so tests need no real time. */
export type Schedule = (ms: number, fn: () => void) => () => void;

const realSchedule: Schedule = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

interface Waiter {
  grant(ok: boolean): void;
  cancel: () => void;
}

/**
 * Envoy's retry budget (RetryBudget: budget_percent 20%, min_retry_concurrency 3): a retry
 * may start only while retries in flight stay below max(min, percent × requests in
 * flight). It bounds the extra load a failing fleet receives to a fraction of live
 * traffic instead of multiplying it by the attempt count. Isolate-local by design: a
 * shared counter would put a round trip on the request path.
 *
 * One departure from Envoy, which refuses at once: a retry that finds no slot may wait up to
 * `maxWaitMs` for one, handed over by a retry that ends. When an origin hangs, its requests'
 * per-try deadlines expire together; refusing all but three of them at once turned idempotent
 * requests into 504s although the rest of the pool was healthy and each retry there takes
 * milliseconds. Waiting keeps the bound (retries in flight never exceed the budget) and gives
 * up after `maxWaitMs`, so a fleet that is failing everywhere still sheds its retries.
 */
export class RetryBudget {
  private active = 0;
  private retries = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly percent: number,
    private readonly minConcurrency: number,
    private readonly maxWaitMs = 0,
    private readonly schedule: Schedule = realSchedule,
  ) {}

  requestStarted(): void {
    this.active++;
  }

  requestEnded(): void {
    this.active = Math.max(0, this.active - 1);
  }

  private allowed(): number {
    return Math.max(this.minConcurrency, Math.floor((this.percent / 100) * this.active));
  }

  /** Takes a retry slot if the budget allows; the caller must call retryEnded() after. */
  tryRetry(): boolean {
    if (this.waiters.length > 0 || this.retries >= this.allowed()) return false;
    this.retries++;
    return true;
  }

  /**
   * Takes a retry slot now (true), refuses (false) when waiting is off, or returns a promise
   * that resolves true when a slot is handed over and false after `maxWaitMs`. A slot granted
   * either way must be given back with retryEnded().
   */
  acquire(): boolean | Promise<boolean> {
    if (this.tryRetry()) return true;
    if (this.maxWaitMs <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        cancel: this.schedule(this.maxWaitMs, () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(false);
        }),
      };
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the longest waiter if the budget still has room for it, else to the pool. */
  retryEnded(): void {
    const next = this.waiters[0];
    if (next && this.retries <= this.allowed()) {
      this.waiters.shift();
      next.cancel();
      next.grant(true);
      return;
    }
    this.retries = Math.max(0, this.retries - 1);
  }

  get inFlight(): { requests: number; retries: number; waiting: number } {
    return { requests: this.active, retries: this.retries, waiting: this.waiters.length };
  }
}
