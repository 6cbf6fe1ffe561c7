import { countCode, emptyCounts, type Counts } from "./types";

/** The last `size` calls as a ring of outcome codes with running totals. */
export interface CountWindowState {
  type: "count";
  size: number;
  ring: string[];
  /** Next slot to overwrite once the ring is full. */
  head: number;
  totals: Counts;
}

export function newCountWindow(size: number): CountWindowState {
  return { type: "count", size, ring: [], head: 0, totals: emptyCounts() };
}

export function countWindowAdd(w: CountWindowState, code: string): void {
  if (w.ring.length < w.size) {
    w.ring.push(code);
  } else {
    const evicted = w.ring[w.head];
    if (evicted !== undefined) countCode(w.totals, evicted, -1);
    w.ring[w.head] = code;
    w.head = (w.head + 1) % w.size;
  }
  countCode(w.totals, code, 1);
}
