import { NearestPast } from "./nearest.js";
import { SortedWindow } from "./sorted-window.js";
import type { AnomalyDirection, AnomalyKind } from "./types.js";

export interface StreamOptions {
  /** Past rows the statistics are fitted on (default 2016: a week of 5-minute steps). */
  readonly lookback?: number;
  /** Rows seen before anything may be flagged (default 96: 8 h of 5-minute steps). */
  readonly warmup?: number;
  /** Rows whose median is compared with the past for a level shift (default 3). */
  readonly shortWindow?: number;
  /** Rows with a calm score that end an event; a new event needs a calm row first (default 6). */
  readonly calmRows?: number;
  /** Robust units beyond the past's extremes that make a spike (default 1). */
  readonly spikeUnits?: number;
  /** Robust units beyond the past's 1st/99th percentile that make a level shift (default 3). */
  readonly shiftUnits?: number;
  /** Rows of the subsequence matched against the past (default 12; 0 turns it off). */
  readonly patternRows?: number;
  /** Past rows searched for a match (default 2016). */
  readonly patternLookback?: number;
  /** A pattern is novel when its match distance exceeds the past's largest by this factor (default 1). */
  readonly patternFactor?: number;
  /**
   * Rows per season (a day at the series' step) for the seasonal rule; absent or under 2
   * turns it off. detectAnomalies sets it from the step when a day is a whole number of rows.
   */
  readonly season?: number;
  /** Robust units of the day-to-day change beyond the same time on the past days that make a seasonal level shift (default 6). */
  readonly seasonUnits?: number;
  /** Rows that must all lie beyond the same time on the past days (default 12: an hour at 5 minutes, so a burst does not count). */
  readonly seasonWindow?: number;
}

/** Past seasons the seasonal rule compares with (a week of days). */
const SEASON_DAYS = 7;
/**
 * The seasonal rule applies only where the series repeats: its day-to-day change must be
 * under this share of the level's own robust spread (else "the same time yesterday" says
 * little, and the other rules judge alone).
 */
const SEASON_GATE = 0.5;

export interface RowVerdict {
  /** 0..1; 0.5 is the flag threshold. Rows inside an event already flagged are halved. */
  readonly score: number;
  /** The row's evidence before suppression, 0..1. */
  readonly evidence: number;
  readonly kind: AnomalyKind | null;
  readonly direction: AnomalyDirection;
  readonly reason: string;
  /** "start" on the row that raises an event's one flag, "ongoing" while it lasts. */
  readonly event: "start" | "ongoing" | null;
}

const QUIET: RowVerdict = { score: 0, evidence: 0, kind: null, direction: "up", reason: "", event: null };

/**
 * Causal streaming detector over one series, one row at a time (rows in time order).
 * A row is judged against a window of the `lookback` rows before it only, with order
 * statistics (median, quartiles, extremes), so a row's score never depends on later rows:
 * - spike: the value lies beyond every value of the window, by spikeUnits robust units
 *   (robust unit = IQR/1.349, floored at 1/20 of the window's range);
 * - level_shift: the median of the last shortWindow rows lies beyond the window's 1st/99th
 *   percentile by shiftUnits robust units;
 * - flat_line: the same value for at least 12 rows and twice the longest run seen before,
 *   on a series that otherwise moves;
 * - seasonal level_shift (with `season`): the last seasonWindow rows all beyond the medians
 *   the same time of day had on the past days, by seasonUnits units of the day-to-day change;
 * - novelty (with patternRows): the last rows further from every earlier stretch than any
 *   stretch was before (src/scheduler/anomaly/nearest.ts).
 * Evidence e (1 at the threshold) becomes score e/(1+e). An event is flagged once, on its
 * first row over 0.5; it ends after calmRows rows under 0.5. Like NAB's detectors that win
 * on early detection (Lavin & Ahmad 2015), the flag comes on the first unusual row.
 */
export class StreamDetector {
  private readonly lookback: number;
  private readonly warmup: number;
  private readonly shortWindow: number;
  private readonly calmRows: number;
  private readonly spikeUnits: number;
  private readonly shiftUnits: number;
  private readonly past: SortedWindow;
  private readonly recent: number[] = [];
  private seen = 0;
  private prev = Number.NaN;
  private run = 0;
  /** Completed flat runs: [row index where it ended, length], newest last. */
  private readonly runs: Array<[number, number]> = [];
  private readonly nearest: NearestPast | null;
  private readonly distances: SortedWindow;
  private readonly patternFactor: number;
  private readonly nearestRows: number;
  private inEvent = false;
  private calm = 0;
  private readonly season: number;
  private readonly seasonUnits: number;
  private readonly seasonWindow: number;
  /** Every row by its index, NaN where missing, so "the same time d days ago" is exact. */
  private readonly byRow: Float64Array;
  private row = 0;
  /** x − the value one season earlier, where both are known: the day-to-day change. */
  private readonly seasonDiffs: SortedWindow;

  constructor(opts: StreamOptions = {}) {
    this.lookback = opts.lookback ?? 2016;
    this.warmup = opts.warmup ?? 96;
    this.shortWindow = opts.shortWindow ?? 3;
    this.calmRows = opts.calmRows ?? 6;
    this.spikeUnits = opts.spikeUnits ?? 1;
    this.shiftUnits = opts.shiftUnits ?? 3;
    this.past = new SortedWindow(this.lookback);
    const m = opts.patternRows ?? 12;
    this.nearestRows = m;
    this.nearest = m > 0 ? new NearestPast(m, opts.patternLookback ?? 2016) : null;
    this.distances = new SortedWindow(this.lookback);
    this.patternFactor = opts.patternFactor ?? 1;
    const season = Math.floor(opts.season ?? 0);
    this.season = season >= 2 ? season : 0;
    this.seasonUnits = opts.seasonUnits ?? 6;
    this.seasonWindow = Math.max(1, Math.floor(opts.seasonWindow ?? 12));
    this.byRow = new Float64Array(this.season > 0 ? SEASON_DAYS * this.season + this.seasonWindow : 0);
    this.seasonDiffs = new SortedWindow(this.season > 0 ? this.lookback : 1);
  }

  /** Judges x against the past, then adds it to the past. NaN (missing) is skipped. */
  push(x: number): RowVerdict {
    const row = this.row++;
    if (this.season > 0) this.byRow[row % this.byRow.length] = Number.isFinite(x) ? x : Number.NaN;
    if (!Number.isFinite(x)) return QUIET;
    this.recent.push(x);
    if (this.recent.length > this.shortWindow) this.recent.shift();
    this.trackRun(x);
    const unit = this.unit();
    const nn = this.nearest ? this.nearest.push(x, unit) : null;
    const v = this.seen >= this.warmup ? this.judge(x, unit, nn, row) : QUIET;
    if (nn && Number.isFinite(nn.dist)) this.distances.push(nn.dist);
    if (this.season > 0 && row >= this.season) {
      const before = this.at(row - this.season);
      if (Number.isFinite(before)) this.seasonDiffs.push(x - before);
    }
    this.past.push(x);
    this.seen++;
    return this.suppress(v);
  }

  /** Robust unit of the past: IQR/1.349, floored at 1/20 of its range (spiky series with a flat IQR). */
  private unit(): number {
    const w = this.past;
    const lo = w.quantile(0);
    const hi = w.quantile(1);
    const med = w.quantile(0.5);
    return Math.max((w.quantile(0.75) - w.quantile(0.25)) / 1.349, (hi - lo) / 20, 1e-9 * Math.max(1, Math.abs(med)));
  }

  /** The value of row `r` (NaN if missing or no longer kept). */
  private at(r: number): number {
    return r >= 0 && r > this.row - 1 - this.byRow.length ? (this.byRow[r % this.byRow.length] ?? Number.NaN) : Number.NaN;
  }

  /**
   * The median of the seasonWindow rows ending at this time of day on each past day (up to
   * a week): the lowest and highest, and how many days had any.
   */
  private sameTimeBand(row: number): { lo: number; hi: number; days: number } {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let days = 0;
    const w: number[] = [];
    for (let d = 1; d <= SEASON_DAYS; d++) {
      w.length = 0;
      for (let k = 0; k < this.seasonWindow; k++) {
        const v = this.at(row - d * this.season - k);
        if (Number.isFinite(v)) w.push(v);
      }
      if (w.length === 0) continue;
      const m = medianOf(w);
      lo = Math.min(lo, m);
      hi = Math.max(hi, m);
      days++;
    }
    return { lo, hi, days };
  }

  private judge(x: number, unit: number, nn: { dist: number; meanGap: number; lastGap: number } | null, row: number): RowVerdict {
    const w = this.past;
    const lo = w.quantile(0);
    const hi = w.quantile(1);
    const med = w.quantile(0.5);
    const fmtU = (u: number) => u.toFixed(1);
    let best: RowVerdict = QUIET;
    // Whether evidence e beats the best so far: the reason is written only for a winner
    // (most rows have some novelty evidence, and formatting it for each was most of judge's cost).
    const wins = (e: number) => e > 0 && e / (1 + e) > best.score;
    const take = (e: number, kind: AnomalyKind, direction: AnomalyDirection, reason: string) => {
      const score = e / (1 + e);
      best = { score, evidence: score, kind, direction, reason, event: null };
    };
    const beyond = x > hi ? (x - hi) / unit : x < lo ? (lo - x) / unit : 0;
    if (beyond > 0 && wins(beyond / this.spikeUnits)) {
      const dir: AnomalyDirection = x > hi ? "up" : "down";
      const edge = dir === "up" ? `highest ${fmt(hi)}` : `lowest ${fmt(lo)}`;
      take(beyond / this.spikeUnits, "spike", dir, `spike: ${fmt(x)} ${dir === "up" ? "above" : "below"} the ${edge} of the last ${w.size} steps (${fmtU(beyond)} robust units, typical ${fmt(med)})`);
    }
    if (this.recent.length === this.shortWindow) {
      const sm = medianOf(this.recent);
      const p99 = w.quantile(0.99);
      const p01 = w.quantile(0.01);
      const out = sm > p99 ? (sm - p99) / unit : sm < p01 ? (p01 - sm) / unit : 0;
      if (out > 0 && wins(out / this.shiftUnits)) {
        const dir: AnomalyDirection = sm > p99 ? "up" : "down";
        take(out / this.shiftUnits, "level_shift", dir, `level_shift ${dir}: median of the last ${this.shortWindow} steps ${fmt(sm)} vs typical ${fmt(med)}, ${dir === "up" ? "above the 99th" : "below the 1st"} percentile ${fmt(dir === "up" ? p99 : p01)} by ${fmtU(out)} robust units`);
      }
    }
    // Seasonal: the last seasonWindow rows all beyond what the same time of day held on every
    // past day, in units of the day-to-day change. It sees a night that jumps to the day's level, which
    // the rules above miss because the week's range holds that level.
    if (this.season > 0 && this.seasonDiffs.size >= this.season) {
      const d = this.seasonDiffs;
      const unitS = Math.max((d.quantile(0.75) - d.quantile(0.25)) / 1.349, unit / 20);
      if (unitS < SEASON_GATE * unit) {
        const band = this.sameTimeBand(row);
        const now: number[] = [];
        for (let k = 0; k < this.seasonWindow; k++) {
          const v = this.at(row - k);
          if (Number.isFinite(v)) now.push(v);
        }
        if (band.days >= 2 && now.length > 0) {
          // Every row of the window beyond the band, not just its median: a sparse series'
          // odd non-zero rows are not a shift.
          const low = Math.min(...now);
          const high = Math.max(...now);
          const out = low > band.hi ? (low - band.hi) / unitS : high < band.lo ? (band.lo - high) / unitS : 0;
          if (out > 0 && wins(out / this.seasonUnits)) {
            const dir: AnomalyDirection = low > band.hi ? "up" : "down";
            take(out / this.seasonUnits, "level_shift", dir, `level_shift ${dir}: the last ${this.seasonWindow} steps all ${dir === "up" ? `above ${fmt(band.hi)}` : `below ${fmt(band.lo)}`}, ${dir === "up" ? "the highest" : "the lowest"} level at this time on the past ${band.days} days (${fmtU(out)} robust units of the day-to-day change)`);
          }
        }
      }
    }
    if (nn && Number.isFinite(nn.dist) && this.distances.size >= this.warmup / 2) {
      const usual = this.distances.quantile(1);
      const e = nn.dist / (this.patternFactor * Math.max(usual, 1e-9));
      if (wins(e)) {
        const dir: AnomalyDirection = nn.meanGap >= 0 ? "up" : "down";
        const spiky = Math.abs(nn.lastGap) > 2 * Math.abs(nn.meanGap);
        const what = `the last ${this.nearestRows} steps are further from every earlier stretch than ever before (${nn.dist.toFixed(2)} robust units vs ${usual.toFixed(2)})`;
        if (spiky) take(e, "spike", nn.lastGap >= 0 ? "up" : "down", `spike: ${fmt(x)}, ${what}`);
        else take(e, "level_shift", dir, `level_shift ${dir}: ${what}`);
      }
    }
    if (this.run >= 12 && this.run < this.seen) {
      const longest = this.longestRun();
      const need = Math.max(12, 2 * longest);
      if (wins(this.run / need)) {
        const dir: AnomalyDirection = x <= med ? "down" : "up";
        take(this.run / need, "flat_line", dir, `flat_line: ${fmt(x)} repeated for ${this.run} steps (longest run before: ${longest})`);
      }
    }
    return best;
  }

  /** Once per event: the first row over 0.5 raises it, later rows of it are halved. */
  private suppress(v: RowVerdict): RowVerdict {
    const high = v.score >= 0.5;
    if (this.inEvent) {
      this.calm = high ? 0 : this.calm + 1;
      if (this.calm >= this.calmRows) this.inEvent = false;
      return { ...v, score: v.score / 2, event: this.inEvent ? "ongoing" : null };
    }
    if (!high) return v;
    this.inEvent = true;
    this.calm = 0;
    return { ...v, event: "start" };
  }

  private trackRun(x: number): void {
    if (x === this.prev) this.run++;
    else {
      if (this.run > 1) this.runs.push([this.seen - 1, this.run]);
      this.run = 1;
      this.prev = x;
    }
    while (this.runs.length > 0 && (this.runs[0]?.[0] ?? 0) < this.seen - this.lookback) this.runs.shift();
  }

  private longestRun(): number {
    let m = 1;
    for (const [, len] of this.runs) m = Math.max(m, len);
    return m;
  }
}

function medianOf(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.round(v * 100) / 100).toString() : "n/a";
}
