import { nabFiles } from "../data/datasets.js";

/** A NAB file parsed: rows in file order (NAB scores rows as they come), windows in epoch ms. */
export interface NabSeries {
  readonly name: string;
  readonly t: number[];
  readonly values: number[];
  readonly windows: Array<[number, number]>;
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
    return { name: f.name, t, values, windows: f.windows.map(([a, b]) => [nabTime(a), nabTime(b)] as [number, number]) };
  });
}
