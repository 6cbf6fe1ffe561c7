import { StreamDetector, type RowVerdict, type StreamOptions } from "./stream.js";
import type { AnomalyFlag, DetectorInput } from "./types.js";

export interface DetectorOptions extends StreamOptions {
  /** Return flags only for rows from this index on (the series is still replayed from row 0). */
  readonly from?: number;
}

const DAY_MS = 86_400_000;

/** Rows per day at this step, when a day is a whole number of steps (else 0: no seasonal rule). */
export function seasonRows(stepMs: number): number {
  const n = DAY_MS / stepMs;
  return Number.isInteger(n) && n >= 2 ? n : 0;
}

/** Every row's verdict, replaying the detector over `raw` in order (NaN rows are missing). */
export function scoreRows(raw: ArrayLike<number>, opts: StreamOptions = {}): RowVerdict[] {
  const d = new StreamDetector(opts);
  const out: RowVerdict[] = [];
  for (let i = 0; i < raw.length; i++) out.push(d.push(raw[i] ?? Number.NaN));
  return out;
}

/**
 * The scheduler's and the backtest's detector: one flag per event, on its first row, with
 * `lastIndex` the newest row the event still covers. Only `raw`, `t0` and `stepMs` are used:
 * the detector fits its own statistics on the past rather than trusting a forecast, which
 * on a cold start (a few minutes of history) predicts 0 and made every rise a "spike".
 */
export function detectAnomalies(inp: DetectorInput, opts: DetectorOptions = {}): AnomalyFlag[] {
  const rows = scoreRows(inp.raw, opts.season === undefined ? { ...opts, season: seasonRows(inp.stepMs) } : opts);
  const from = Math.max(0, opts.from ?? 0);
  const flags: AnomalyFlag[] = [];
  let open: AnomalyFlag | null = null;
  rows.forEach((v, i) => {
    if (v.event === "start" && v.kind) {
      open = { index: i, t: inp.t0 + i * inp.stepMs, kind: v.kind, direction: v.direction, score: v.score, reason: v.reason, lastIndex: i };
      flags.push(open);
    } else if (v.event === "ongoing" && open) {
      open = { ...open, lastIndex: i };
      flags[flags.length - 1] = open;
    } else open = null;
  });
  return flags.filter((f) => (f.lastIndex ?? f.index) >= from);
}
