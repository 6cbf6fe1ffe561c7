import type { RawPoint } from "../../../src/scheduler/forecast/types.js";
import { mulberry32 } from "../../support/prng";

export const MIN = 60_000;
export const DAY = 86_400_000;
/** 2024-01-01T00:00Z, a Monday. */
export const T0 = Date.UTC(2024, 0, 1);

export const rng = mulberry32;

/** Standard normal via Box–Muller. */
export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, r()))) * Math.cos(2 * Math.PI * r());
}

export function dailySine(t: number): number {
  return 100 + 50 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
}

/** Points every `stepMs` for `days` days from T0, value f(t). */
export function series(days: number, stepMs: number, f: (t: number, i: number) => number): RawPoint[] {
  const out: RawPoint[] = [];
  const n = Math.round((days * DAY) / stepMs);
  for (let i = 0; i < n; i++) out.push({ t: T0 + i * stepMs, v: f(T0 + i * stepMs, i) });
  return out;
}
