import { countCode, emptyCounts, type Counts } from "./types";

/**
 * Per-second buckets over the last `sizeS` seconds (resilience4j's TIME_BASED window). Only
 * buckets with calls are kept, oldest first; running totals are corrected as buckets expire.
 */
export interface TimeWindowState {
  type: "time";
  sizeS: number;
  buckets: Array<{ sec: number; counts: Counts }>;
  totals: Counts;
}

export function newTimeWindow(sizeS: number): TimeWindowState {
  return { type: "time", sizeS, buckets: [], totals: emptyCounts() };
}

function expire(w: TimeWindowState, nowSec: number): void {
  const oldest = nowSec - w.sizeS + 1;
  while (w.buckets.length > 0 && (w.buckets[0]?.sec ?? oldest) < oldest) {
    const b = w.buckets.shift();
    if (!b) break;
    for (const k of Object.keys(b.counts) as Array<keyof Counts>) w.totals[k] -= b.counts[k];
  }
}

export function timeWindowAdd(w: TimeWindowState, code: string, nowMs: number): void {
  const sec = Math.floor(nowMs / 1000);
  expire(w, sec);
  let last = w.buckets[w.buckets.length - 1];
  // A clock that steps back lands in the newest bucket rather than reordering history.
  if (!last || last.sec < sec) {
    last = { sec, counts: emptyCounts() };
    w.buckets.push(last);
  }
  countCode(last.counts, code, 1);
  countCode(w.totals, code, 1);
}

export function timeWindowTotals(w: TimeWindowState, nowMs: number): Counts {
  expire(w, Math.floor(nowMs / 1000));
  return { ...w.totals };
}
