import type { ConfigIssue } from "./schema";
import type { ActiveConfig } from "./store";

/** A stored config this isolate refused to serve (see ConfigCache `accept`). */
export interface RejectedConfig {
  version: number;
  issues: ConfigIssue[];
}

/**
 * The isolate's copy of the active config. A warm request reads it synchronously; at most
 * once every `refreshMs` a request schedules (via ctx.waitUntil) one check of D1 for a
 * newer version. Only a cold isolate, which has nothing to serve, awaits D1.
 *
 * Fail-open on D1: if the check fails, the isolate keeps serving the last config it had
 * (an edge that stops routing because its control store blinked is worse than one that
 * routes on a config a few seconds old).
 *
 * Fail static on a config it may not serve: `accept` (the production private-origin guard)
 * runs on every config loaded from D1. A refused one is never installed: a warm isolate
 * keeps its last good config, a cold one has none and answers 503 naming the version and
 * why (`rejected`). A config written in development with loopback origins so never
 * reaches production traffic, whichever isolate reads it.
 */
export class ConfigCache {
  private active: ActiveConfig | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private installs = 0;
  /** The newest version read from D1 (served or refused): D1 sends its text only when it changes. */
  private seenVersion = 0;
  lastError: string | undefined;
  rejected: RejectedConfig | undefined;

  constructor(
    private readonly load: (knownVersion: number) => Promise<ActiveConfig | "unchanged" | null>,
    private readonly now: () => number,
    private readonly refreshMs: number,
    private readonly accept: (next: ActiveConfig) => ConfigIssue[] = () => [],
  ) {}

  get current(): ActiveConfig | undefined {
    return this.active;
  }

  /** Cold path: wait for a config if there is none yet. */
  async ensure(): Promise<ActiveConfig | undefined> {
    if (!this.active) await this.refresh();
    return this.active;
  }

  /**
   * A refresh to hand to ctx.waitUntil when one is due, else undefined (no work).
   * `now`: the caller's reading of the clock, when it has one (each reading is a runtime call).
   */
  refreshIfDue(now = this.now()): Promise<void> | undefined {
    if (this.inflight) return undefined;
    if (now - this.checkedAt < this.refreshMs) return undefined;
    return this.refresh();
  }

  /** Installs the active config: one this isolate just stored (PUT), or D1's newest. */
  install(next: ActiveConfig): void {
    this.active = next;
    this.seenVersion = next.version;
    this.rejected = undefined;
    this.installs++;
  }

  private refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.checkedAt = this.now();
    const installsBefore = this.installs;
    this.inflight = this.load(this.seenVersion)
      .then((next) => {
        this.lastError = undefined;
        // A PUT that landed while this read was in flight is newer than what it read.
        if (next === null || next === "unchanged" || this.installs !== installsBefore) return;
        const issues = this.accept(next);
        if (issues.length === 0) return this.install(next);
        this.seenVersion = next.version;
        this.rejected = { version: next.version, issues };
        console.error(JSON.stringify({ event: "config_refused", version: next.version, serving: this.active?.version ?? null, issues }));
      })
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        console.error(JSON.stringify({ event: "config_refresh_failed", error: this.lastError }));
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
