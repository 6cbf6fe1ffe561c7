/**
 * Log-spaced latency histogram, stored as one integer column per bucket so that merging
 * rows (across isolates, minutes, hours) is a plain SQL SUM, never an average of
 * percentiles (averaging p99s is meaningless; summing bucket counts is exact).
 *
 * Buckets: upper bounds b_k = 2^(k/2) ms for k = 0..32, i.e. 1, 1.41, 2, 2.83, 4, … 46341,
 * 65536 ms (ratio √2, the same idea as HdrHistogram/DDSketch log buckets, with a fixed
 * and small relative width). Bucket 0 holds [0, 1] ms, bucket k holds (b_{k-1}, b_k],
 * bucket 33 holds everything above 65.5 s.
 *
 * Error bound: a percentile read from the histogram lies in the same bucket as the true
 * nearest-rank sample percentile, so it is off by less than one bucket: at most a factor
 * √2 (≈41 %) above 1 ms, at most 1 ms below it; above 65.5 s it reads 65536.
 */

export const BUCKET_COUNT = 34;
const FINITE = BUCKET_COUNT - 1;

/** Upper bound (ms, inclusive) of bucket k for k < 33; bucket 33 is unbounded. */
export const BUCKET_UPPER_MS: readonly number[] = Array.from({ length: FINITE }, (_, k) => 2 ** (k / 2));

/** Column names h00..h33, in bucket order; also the D1 column names. */
export const HIST_COLUMNS = [
  "h00", "h01", "h02", "h03", "h04", "h05", "h06", "h07", "h08", "h09",
  "h10", "h11", "h12", "h13", "h14", "h15", "h16", "h17", "h18", "h19",
  "h20", "h21", "h22", "h23", "h24", "h25", "h26", "h27", "h28", "h29",
  "h30", "h31", "h32", "h33",
] as const;
export type HistColumn = (typeof HIST_COLUMNS)[number];

/** Bucket index of a latency in ms. Negative or non-finite inputs land in bucket 0. */
export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  if (ms > (BUCKET_UPPER_MS[FINITE - 1] as number)) return FINITE;
  let k = Math.ceil(2 * Math.log2(ms));
  // Math.log2 can be off by one ulp exactly at a bound; settle it against the table.
  if (k < FINITE && ms > (BUCKET_UPPER_MS[k] as number)) k += 1;
  if (k > 0 && ms <= (BUCKET_UPPER_MS[k - 1] as number)) k -= 1;
  return Math.min(Math.max(k, 0), FINITE);
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram, by nearest rank (rank ⌈q·n⌉), interpolated
 * linearly inside the bucket that holds that rank, as Prometheus' histogram_quantile does.
 * Returns null for an empty histogram.
 */
export function quantile(counts: ArrayLike<number>, q: number): number | null {
  let n = 0;
  for (let k = 0; k < BUCKET_COUNT; k++) n += counts[k] ?? 0;
  if (n <= 0) return null;
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  let before = 0;
  for (let k = 0; k < BUCKET_COUNT; k++) {
    const c = counts[k] ?? 0;
    if (c > 0 && before + c >= rank) {
      if (k === FINITE) return BUCKET_UPPER_MS[FINITE - 1] as number;
      const lower = k === 0 ? 0 : (BUCKET_UPPER_MS[k - 1] as number);
      const upper = BUCKET_UPPER_MS[k] as number;
      return lower + ((upper - lower) * (rank - before)) / c;
    }
    before += c;
  }
  return null;
}

/** p50/p95/p99 in ms, the triple the control API and dashboard show. */
export function percentiles(counts: ArrayLike<number>): { p50: number | null; p95: number | null; p99: number | null } {
  return { p50: quantile(counts, 0.5), p95: quantile(counts, 0.95), p99: quantile(counts, 0.99) };
}
