import { ConfigCache } from "../config/cache";
import { privateOriginIssues } from "../config/private-origins";
import { loadActiveIfChanged, type ActiveConfig } from "../config/store";
import type { Env, Settings } from "../env";
import { Deadlines } from "../routing/deadlines";
import { GeoMemo } from "../routing/geo-memo";
import { SteeringMemo } from "../routing/steering/memo";
import { LoadStats } from "../routing/load";
import { RetryBudget } from "../routing/retry-budget";
import { PICKERS } from "../routing/selection";
import { unhealthyOrigins } from "../health/store";
import { HealthView } from "../health/view";
import { RoutingTable } from "../routing/table";
import type { AttemptRecord } from "../routing/proxy";

/** What the router needs from the breaker client (src/breaker/client.ts). */
export interface BreakerPort {
  readonly version: number;
  configure(active: ActiveConfig): void;
  admit(originId: string, now?: number): boolean;
  available(originId: string): boolean;
  record(rec: AttemptRecord, colo: string): void;
  sync(now?: number): Promise<void> | undefined;
  warmUp(originIds: readonly string[], budgetMs: number): Promise<void>;
  /** An operator changed this origin's breaker: follow the object now. */
  adminChanged(originId: string): Promise<void>;
  /** This isolate's own view of a breaker, for status pages. */
  view?(originId: string): unknown;
}

/** What the router needs from telemetry (src/telemetry/). */
export interface TelemetryPort {
  record(rec: AttemptRecord, country: string, colo: string): void;
  maybeFlush(db: D1Database, now?: number): Promise<void> | undefined;
  flushNow(db: D1Database): Promise<void>;
  /** Counters for tests and benchmarks (D1 statements, Durable Object calls). */
  stats(): Record<string, unknown>;
}

export interface EdgeClock {
  now(): number;
  random(): number;
  /** Resolves after `ms` on a timer of the calling request. */
  sleep(ms: number): Promise<void>;
}

/**
 * Everything one isolate keeps between requests: the config cache, the compiled routing
 * table, live load figures, the retry budget, the breaker client and the telemetry buffer.
 * Built once per isolate (per env object) and reused by every request.
 */
export class EdgeRuntime {
  readonly config: ConfigCache;
  readonly health: HealthView;
  readonly load: LoadStats;
  readonly deadlines: Deadlines;
  /** The client's geo by address, so a returning client costs no parse of request.cf. */
  readonly geo: GeoMemo;
  /** Each returning client's pool order, kept next to its geo. */
  readonly steering = new SteeringMemo();
  /** When a request next runs the background checks (src/edge/handler.ts). */
  housekeepingAt = 0;
  private table: RoutingTable | undefined;
  private budgetFor: ActiveConfig | undefined;
  private budget: RetryBudget = new RetryBudget(20, 3);
  private readonly isAvailable = (id: string): boolean => this.breaker.available(id) && this.health.isUp(id);

  constructor(
    readonly env: Env,
    readonly settings: Settings,
    readonly clock: EdgeClock,
    readonly breaker: BreakerPort,
    readonly telemetry: TelemetryPort,
  ) {
    this.config = new ConfigCache((v) => loadActiveIfChanged(env.DB, v), clock.now, settings.configRefreshMs, (next) =>
      privateOriginIssues(next.config, settings.production),
    );
    this.health = new HealthView(() => unhealthyOrigins(env.DB), clock.now, settings.configRefreshMs);
    this.load = new LoadStats(clock.now);
    this.deadlines = new Deadlines({ now: clock.now, sleep: clock.sleep });
    this.geo = new GeoMemo(clock.now, settings.geoMemoSize);
  }

  /** The table for the active config, with pickers current for breaker availability. */
  routing(active: ActiveConfig): { table: RoutingTable; budget: RetryBudget } {
    if (!this.table || this.table.version !== active.version || this.table.config !== active.config) {
      this.table = new RoutingTable(active.config, active.version, this.load, PICKERS, this.settings.production);
      this.breaker.configure(active);
    }
    if (this.budgetFor !== active) {
      const r = active.config.retries;
      this.budget = new RetryBudget(r.budget_percent, r.min_retries_per_window, r.budget_wait_ms);
      this.budgetFor = active;
    }
    this.table.refresh(this.breaker.version, this.health.version, this.isAvailable);
    return { table: this.table, budget: this.budget };
  }
}

const runtimes = new WeakMap<Env, EdgeRuntime>();

// An isolate sees one env object for all its requests: the last one is checked first.
let lastEnv: Env | undefined;
let lastRt: EdgeRuntime | undefined;

export function edgeRuntime(env: Env, make: (env: Env) => EdgeRuntime): EdgeRuntime {
  if (env === lastEnv) return lastRt!;
  let rt = runtimes.get(env);
  if (!rt) {
    rt = make(env);
    runtimes.set(env, rt);
  }
  lastEnv = env;
  lastRt = rt;
  return rt;
}
