import type { LoadView, OriginEntry } from "../../../src/routing/selection/types.js";
import { mulberry32 } from "../../support/prng.js";

export const seeded = mulberry32;

export function origins(weights: readonly number[], prefix = "o"): OriginEntry[] {
  return weights.map((weight, i) => ({ id: `${prefix}${i}`, weight }));
}

export interface LoadFigures {
  outstanding?: number;
  latencyMs?: number;
  errorRate?: number;
  rps?: number;
}

/**
 * A LoadView over fixed per-origin figures (defaults: idle, 20 ms, no errors). With
 * `known`, reading an id outside it throws, so a picker that asks about origins outside
 * its snapshot fails the test.
 */
export function loadView(figures: Record<string, LoadFigures> = {}, known?: ReadonlySet<string>): LoadView {
  const get = (id: string): LoadFigures => {
    if (known !== undefined && !known.has(id)) throw new Error(`LoadView asked about ${id}`);
    return figures[id] ?? {};
  };
  return {
    outstanding: (id) => get(id).outstanding ?? 0,
    latencyMs: (id) => get(id).latencyMs ?? 20,
    errorRate: (id) => get(id).errorRate ?? 0,
    rps: (id) => get(id).rps ?? 0,
  };
}

export const idle = loadView();

/** Share of picks per id. */
export function shares(ids: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1 / ids.length);
  return m;
}
