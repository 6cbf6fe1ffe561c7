import type { BreakerConfig } from "../config/schema";
import { openDurationMs } from "./backoff";
import { coloQuorum, coloRecord, type ColoState } from "./colos";
import { isFailureCode, type BreakerSnapshot, type BreakerState } from "./types";
import { newWindow, tally, windowAdd, windowMismatch, windowTotals, type WindowState } from "./window";

/**
 * The breaker as a pure state machine over plain data (persisted as JSON by the Durable
 * Object). Semantics follow resilience4j: rates compare with >=, no rate-based open below
 * min_calls, half-open decides over exactly half_open_calls calls with the same thresholds,
 * FORCED_OPEN and DISABLED as admin states; plus a consecutive-failure trip (cockatiel's
 * ConsecutiveBreaker, Envoy consecutive_5xx) and a colo quorum (colos.ts).
 * Functions mutate `rec` in place and return the transitions they made; they take the
 * clock and randomness from `ctx` and do no I/O.
 */
export interface BreakerRecord {
  state: BreakerState;
  since: number;
  reason: string;
  generation: number;
  /** Opens since the breaker last closed: the backoff exponent. */
  reopens: number;
  openUntil: number | null;
  consecutive: number;
  wouldOpen: string | null;
  window: WindowState;
  colos: ColoState;
  /** Half-open: outcomes tallied so far and outstanding leases by holder. */
  probe: { codes: string; leases: Record<string, { n: number; until: number }> };
}

export interface Transition {
  from: BreakerState;
  to: BreakerState;
  reason: string;
  at: number;
  generation: number;
}

export interface MachineCtx {
  now: number;
  random: () => number;
  config: BreakerConfig;
}

export type AdminAction = "open" | "close" | "reset";

export function newRecord(now: number, config: BreakerConfig): BreakerRecord {
  return {
    state: "closed",
    since: now,
    reason: "initial",
    generation: 0,
    reopens: 0,
    openUntil: null,
    consecutive: 0,
    wouldOpen: null,
    window: newWindow(config.window),
    colos: {},
    probe: { codes: "", leases: {} },
  };
}

function move(rec: BreakerRecord, to: BreakerState, reason: string, now: number): Transition {
  const t: Transition = { from: rec.state, to, reason, at: now, generation: rec.generation + 1 };
  rec.state = to;
  rec.since = now;
  rec.reason = reason;
  rec.generation = t.generation;
  rec.probe = { codes: "", leases: {} };
  if (to !== "open") rec.openUntil = null;
  return t;
}

function clearCounts(rec: BreakerRecord, config: BreakerConfig): void {
  rec.window = newWindow(config.window);
  rec.consecutive = 0;
  rec.wouldOpen = null;
  rec.colos = {};
}

function open(rec: BreakerRecord, reason: string, ctx: MachineCtx): Transition {
  const ms = openDurationMs(ctx.config, rec.reopens, ctx.random);
  rec.reopens += 1;
  const t = move(rec, "open", `${reason}; open for ${ms} ms`, ctx.now);
  rec.openUntil = ctx.now + ms;
  rec.wouldOpen = null;
  return t;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/** Why the closed breaker should open now, or null. */
export function tripReason(rec: BreakerRecord, ctx: MachineCtx): string | null {
  const cfg = ctx.config;
  if (cfg.consecutive_failures > 0 && rec.consecutive >= cfg.consecutive_failures)
    return `${rec.consecutive} consecutive failures`;
  const c = windowTotals(rec.window, ctx.now);
  if (c.calls < cfg.min_calls || c.calls === 0) return null;
  if (c.failures / c.calls >= cfg.failure_rate)
    return `failure rate ${pct(c.failures / c.calls)} >= ${pct(cfg.failure_rate)} over ${c.calls} calls (connect ${c.connect}, timeout ${c.timeout}, status ${c.status})`;
  if (c.slow / c.calls >= cfg.slow_call_rate)
    return `slow call rate ${pct(c.slow / c.calls)} >= ${pct(cfg.slow_call_rate)} over ${c.calls} calls (>= ${cfg.slow_call_ms} ms)`;
  return null;
}

function evaluateClosed(rec: BreakerRecord, ctx: MachineCtx): Transition | null {
  const reason = tripReason(rec, ctx);
  if (reason === null) {
    rec.wouldOpen = null;
    return null;
  }
  const q = coloQuorum(rec.colos, ctx.now, ctx.config);
  if (q.ok) return open(rec, reason, ctx);
  rec.wouldOpen = `${reason}; held closed: ${q.failing} colo(s) see failures, ${q.healthy} see it working (min_reporting_colos ${ctx.config.min_reporting_colos})`;
  return null;
}

function halfOpenVerdict(rec: BreakerRecord, ctx: MachineCtx): Transition {
  const c = tally(rec.probe.codes);
  const cfg = ctx.config;
  if (c.failures / c.calls >= cfg.failure_rate)
    return open(rec, `half-open probes failed: ${c.failures} of ${c.calls}`, ctx);
  if (c.slow / c.calls >= cfg.slow_call_rate) return open(rec, `half-open probes slow: ${c.slow} of ${c.calls}`, ctx);
  clearCounts(rec, cfg);
  rec.reopens = 0;
  return move(rec, "closed", `half-open probes passed: ${c.calls - c.failures} of ${c.calls} succeeded`, ctx.now);
}

/**
 * Applies one isolate's ordered outcome codes. `probes` of them were made under leases held
 * by `holder`, which are returned. Outcomes reported while open or forced_open are stale
 * (made before the isolate learnt of the open) and are ignored.
 */
export function applyOutcomes(
  rec: BreakerRecord,
  codes: string,
  origin: { colo: string; holder: string; probes: number },
  ctx: MachineCtx,
): Transition[] {
  const out: Transition[] = [];
  if (windowMismatch(rec.window, ctx.config.window)) rec.window = newWindow(ctx.config.window);
  const lease = rec.probe.leases[origin.holder];
  if (lease && origin.probes > 0) {
    lease.n = Math.max(0, lease.n - origin.probes);
    if (lease.n === 0) delete rec.probe.leases[origin.holder];
  }
  for (const code of codes) {
    const failure = isFailureCode(code);
    if (rec.state === "closed" || rec.state === "disabled") {
      coloRecord(rec.colos, origin.colo, failure || code !== code.toLowerCase(), ctx.now, ctx.config);
      windowAdd(rec.window, code, ctx.now);
      rec.consecutive = failure ? rec.consecutive + 1 : 0;
      if (rec.state === "closed") {
        const t = evaluateClosed(rec, ctx);
        if (t) out.push(t);
      }
    } else if (rec.state === "half_open") {
      rec.probe.codes += code;
      if (rec.probe.codes.length >= ctx.config.half_open_calls) out.push(halfOpenVerdict(rec, ctx));
    }
  }
  return out;
}

/** Timer: open -> half_open once the open time has passed (never closed -> half_open). */
export function onTimer(rec: BreakerRecord, ctx: MachineCtx): Transition[] {
  if (rec.state !== "open" || rec.openUntil === null || ctx.now < rec.openUntil) return [];
  return [move(rec, "half_open", "open time elapsed; probing", ctx.now)];
}

/**
 * Grants up to `wanted` half-open probe leases to `holder`, so the whole fleet sends at most
 * half_open_calls probes (cockatiel dedupes half-open calls; we lease them across isolates).
 * Leases not used within `ttlMs` return to the pool.
 */
export function grantLeases(rec: BreakerRecord, holder: string, wanted: number, ttlMs: number, ctx: MachineCtx): number {
  if (rec.state !== "half_open" || wanted <= 0) return 0;
  let outstanding = 0;
  for (const [h, l] of Object.entries(rec.probe.leases)) {
    if (l.until <= ctx.now) delete rec.probe.leases[h];
    else outstanding += l.n;
  }
  const free = ctx.config.half_open_calls - rec.probe.codes.length - outstanding;
  const n = Math.max(0, Math.min(wanted, free));
  if (n > 0) {
    const prev = rec.probe.leases[holder];
    rec.probe.leases[holder] = { n: (prev?.n ?? 0) + n, until: ctx.now + ttlMs };
  }
  return n;
}

/** Operator commands (CONTRACT.md): open holds forced_open, close holds disabled, reset clears. */
export function applyCommand(rec: BreakerRecord, action: AdminAction, ctx: MachineCtx): Transition[] {
  if (action === "open") return [move(rec, "forced_open", "forced open by operator", ctx.now)];
  if (action === "close") {
    clearCounts(rec, ctx.config);
    return [move(rec, "disabled", "disabled by operator: counts calls, never opens", ctx.now)];
  }
  clearCounts(rec, ctx.config);
  rec.reopens = 0;
  return [move(rec, "closed", "reset by operator", ctx.now)];
}

export function snapshotOf(rec: BreakerRecord, now: number): BreakerSnapshot {
  return {
    state: rec.state,
    since: rec.since,
    reason: rec.reason,
    generation: rec.generation,
    openUntil: rec.openUntil,
    wouldOpen: rec.wouldOpen,
    counts: windowTotals(rec.window, now),
  };
}
