/**
 * The isolate's copy of the origins that active health checks hold down, refreshed from
 * D1 in the background at most once per interval (with the config check), never on the
 * request path. Fail-open: if D1 cannot be read, the last known set stays in force.
 */
export class HealthView {
  private down = new Set<string>();
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  /** Changes whenever the down set changes, so pickers are rebuilt. */
  version = 0;

  constructor(
    private readonly load: () => Promise<string[]>,
    private readonly now: () => number,
    private readonly refreshMs: number,
  ) {}

  isUp(originId: string): boolean {
    return !this.down.has(originId);
  }

  /** `now`: the caller's reading of the clock, when it has one. */
  refreshIfDue(now = this.now()): Promise<void> | undefined {
    if (this.inflight || now - this.checkedAt < this.refreshMs) return undefined;
    this.checkedAt = now;
    this.inflight = this.load()
      .then((ids) => {
        const next = new Set(ids);
        if (next.size !== this.down.size || ids.some((id) => !this.down.has(id))) {
          this.down = next;
          this.version++;
        }
      })
      .catch((err: unknown) => console.error(JSON.stringify({ event: "health_refresh_failed", error: err instanceof Error ? err.message : String(err) })))
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
