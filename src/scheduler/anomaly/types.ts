/** What the detector says about one step. Stored by the scheduler (see README row shape). */
export type AnomalyKind = "spike" | "level_shift" | "flat_line";
export type AnomalyDirection = "up" | "down";

export interface AnomalyFlag {
  readonly index: number;
  /** Start of the step, epoch ms. */
  readonly t: number;
  readonly kind: AnomalyKind;
  readonly direction: AnomalyDirection;
  /** 0..1, 0.5 at the detection threshold, growing toward 1 with the evidence. */
  readonly score: number;
  readonly reason: string;
  /** Newest row the flagged event still covers (events are flagged once, on their first row). */
  readonly lastIndex?: number;
}

/** The anomaly in force at the newest step, as the planner consumes it. */
export interface ActiveAnomaly {
  readonly kind: AnomalyKind;
  readonly direction: AnomalyDirection;
  readonly score: number;
  readonly reason: string;
  /** First step (epoch ms) of the unbroken run of flagged steps that reaches now. */
  readonly since: number;
  readonly sustainedMs: number;
}

export interface DetectorInput {
  readonly t0: number;
  readonly stepMs: number;
  /** Raw observations (NaN = missing); these are judged. */
  readonly raw: Float64Array;
  /** One-step-ahead forecast made before each step was seen (NaN = none yet); unused by the streaming detector. */
  readonly expected: Float64Array;
  /** Gap-filled history used as the seasonal reference (prepared series). */
  readonly filled: Float64Array;
  /** Typical level, to scale residuals like the forecast intervals do. */
  readonly level: number;
  readonly day: number;
  readonly week: number;
}
