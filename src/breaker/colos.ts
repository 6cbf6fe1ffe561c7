import type { BreakerConfig } from "../config/schema";

/**
 * Which colos see the origin failing. Guards against "one bad node poisons all": a fleet-wide
 * open needs failures reported from `min_reporting_colos` colos, unless the failure is total,
 * i.e. no colo that reported recently sees the origin working (then one colo is all the
 * evidence there is, as with a single-colo deployment).
 *
 * Per colo we keep two tumbling buckets swapped every horizon (grpc-go outlierdetection's
 * callcounter swaps buckets the same way), plus the colo's current failure streak.
 */
export interface ColoEntry {
  epoch: number;
  cur: [calls: number, failures: number];
  prev: [calls: number, failures: number];
  streak: number;
}
export type ColoState = Record<string, ColoEntry>;

export function coloHorizonMs(cfg: BreakerConfig): number {
  return cfg.window.type === "time" ? cfg.window.size_s * 1000 : 30_000;
}

function roll(e: ColoEntry, epoch: number): void {
  if (epoch === e.epoch) return;
  e.prev = epoch === e.epoch + 1 ? e.cur : [0, 0];
  e.cur = [0, 0];
  e.epoch = epoch;
}

/** `bad` = a failure or a slow call: either can be one colo's network rather than the origin. */
export function coloRecord(s: ColoState, colo: string, bad: boolean, nowMs: number, cfg: BreakerConfig): void {
  const epoch = Math.floor(nowMs / coloHorizonMs(cfg));
  const e = (s[colo] ??= { epoch, cur: [0, 0], prev: [0, 0], streak: 0 });
  roll(e, epoch);
  e.cur[0] += 1;
  if (bad) {
    e.cur[1] += 1;
    e.streak += 1;
  } else e.streak = 0;
}

export interface Quorum {
  ok: boolean;
  failing: number;
  healthy: number;
}

/** A colo is failing when its own bad-call rate or streak would trip; healthy when it reported and is not failing. */
export function coloQuorum(s: ColoState, nowMs: number, cfg: BreakerConfig): Quorum {
  const epoch = Math.floor(nowMs / coloHorizonMs(cfg));
  let failing = 0;
  let healthy = 0;
  for (const [colo, e] of Object.entries(s)) {
    roll(e, epoch);
    const calls = e.cur[0] + e.prev[0];
    const failures = e.cur[1] + e.prev[1];
    if (calls === 0) {
      delete s[colo];
      continue;
    }
    const streakTrip = cfg.consecutive_failures > 0 && e.streak >= cfg.consecutive_failures;
    const rate = Math.min(cfg.failure_rate, cfg.slow_call_rate);
    if (streakTrip || (failures > 0 && failures / calls >= rate)) failing += 1;
    else healthy += 1;
  }
  const ok = failing >= cfg.min_reporting_colos || (failing > 0 && healthy === 0);
  return { ok, failing, healthy };
}
