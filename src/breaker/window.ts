import type { BreakerConfig } from "../config/schema";
import { countCode, emptyCounts, type Counts } from "./types";
import { countWindowAdd, newCountWindow, type CountWindowState } from "./window-count";
import { newTimeWindow, timeWindowAdd, timeWindowTotals, type TimeWindowState } from "./window-time";

/**
 * A sliding window over call outcomes, resilience4j-style: COUNT keeps the last N calls,
 * TIME keeps per-second buckets for the last N seconds. The state is plain data so the
 * Durable Object persists it as JSON; both kinds keep running totals so adding a call is O(1)
 * and the breaker can evaluate after every call (resilience4j opens "at the 5th call").
 */
export type WindowState = CountWindowState | TimeWindowState;

export function newWindow(cfg: BreakerConfig["window"]): WindowState {
  return cfg.type === "count" ? newCountWindow(cfg.size) : newTimeWindow(cfg.size_s);
}

/** True when the stored window no longer matches the configured kind or size. */
export function windowMismatch(w: WindowState, cfg: BreakerConfig["window"]): boolean {
  if (cfg.type === "count") return w.type !== "count" || w.size !== cfg.size;
  return w.type !== "time" || w.sizeS !== cfg.size_s;
}

/** Adds one call; `nowMs` places it in a time bucket. */
export function windowAdd(w: WindowState, code: string, nowMs: number): void {
  if (w.type === "count") countWindowAdd(w, code);
  else timeWindowAdd(w, code, nowMs);
}

export function windowTotals(w: WindowState, nowMs: number): Counts {
  return w.type === "count" ? { ...w.totals } : timeWindowTotals(w, nowMs);
}

/** Totals of an arbitrary code string (tests, half-open tallies). */
export function tally(codes: string): Counts {
  const c = emptyCounts();
  for (const code of codes) countCode(c, code, 1);
  return c;
}
