/**
 * Envoy's retry budget (RetryBudget: budget_percent 20%, min_retry_concurrency 3): a retry
 * may start only while retries in flight stay below max(min, percent × requests in
 * flight). It bounds the extra load a failing fleet receives to a fraction of live
 * traffic instead of multiplying it by the attempt count. Isolate-local by design: a
 * shared counter would put a round trip on the request path.
 */
export class RetryBudget {
  private active = 0;
  private retries = 0;

  constructor(
    private readonly percent: number,
    private readonly minConcurrency: number,
  ) {}

  requestStarted(): void {
    this.active++;
  }

  requestEnded(): void {
    this.active = Math.max(0, this.active - 1);
  }

  /** Takes a retry slot if the budget allows; the caller must call retryEnded() after. */
  tryRetry(): boolean {
    const allowed = Math.max(this.minConcurrency, Math.floor((this.percent / 100) * this.active));
    if (this.retries >= allowed) return false;
    this.retries++;
    return true;
  }

  retryEnded(): void {
    this.retries = Math.max(0, this.retries - 1);
  }

  get inFlight(): { requests: number; retries: number } {
    return { requests: this.active, retries: this.retries };
  }
}
