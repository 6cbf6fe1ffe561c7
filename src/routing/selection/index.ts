import type { SelectionAlgorithm } from "../../config/schema.js";
import { hash } from "./hash.js";
import { leastOutstanding } from "./least-outstanding.js";
import { p2cEwma } from "./p2c-ewma.js";
import { random } from "./random.js";
import { roundRobin } from "./round-robin.js";
import { score } from "./score.js";
import type { PickerFactory } from "./types.js";
import { weightedRoundRobin } from "./weighted-round-robin.js";

/**
 * Every selection algorithm by its config name (pool.selection). The router builds a
 * picker per pool snapshot with `PICKERS[pool.selection](origins, load)` and reuses it
 * until health, weights or config change.
 */
export const PICKERS: Record<SelectionAlgorithm, PickerFactory> = {
  round_robin: roundRobin,
  weighted_round_robin: weightedRoundRobin,
  random,
  least_outstanding: leastOutstanding,
  p2c_ewma: p2cEwma,
  hash,
  score,
};

export type { LoadView, OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";
