import { seasonRows } from "../../src/scheduler/anomaly/detector.js";
import { nabFiles } from "../data/datasets.js";

/** A NAB file parsed: rows in file order (NAB scores rows as they come), windows in epoch ms. */
export interface NabSeries {
  readonly name: string;
  readonly t: number[];
  readonly values: number[];
  readonly windows: Array<[number, number]>;
  /** Rows per day at the file's median step, as the scheduler derives it from its step (0: none). */
  readonly season: number;
}

/** The median gap between consecutive timestamps (NAB files have a few irregular rows). */
function medianStep(t: readonly number[]): number {
  const gaps = t.slice(1).map((x, i) => x - (t[i] ?? x)).sort((a, b) => a - b);
  return gaps[gaps.length >> 1] ?? 0;
}

/** NAB timestamps are `YYYY-MM-DD HH:MM:SS[.ffffff]` with no zone: read as UTC. */
export function nabTime(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)/.exec(s.trim());
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export function loadNab(): NabSeries[] {
  return nabFiles().map((f) => {
    const t: number[] = [];
    const values: number[] = [];
    for (const line of f.csv.split("\n").slice(1)) {
      const [ts, v] = line.split(",");
      if (ts === undefined || v === undefined) continue;
      t.push(nabTime(ts));
      values.push(Number(v));
    }
    const step = medianStep(t);
    return { name: f.name, t, values, windows: f.windows.map(([a, b]) => [nabTime(a), nabTime(b)] as [number, number]), season: step > 0 ? seasonRows(step) : 0 };
  });
}
