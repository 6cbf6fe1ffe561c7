import { KEY_COLUMNS, VALUE_COLUMNS } from "./sql.js";

/**
 * The cron's telemetry housekeeping: compact complete hours of rollup_minute into
 * rollup_hour, then apply retention.
 *
 * Compaction recomputes each hour from its minute rows (DELETE the hour, INSERT … SELECT
 * SUM(…) GROUP BY, in one transaction), so running it twice, or over an hour already
 * compacted, gives the same rows: idempotent, never additive. Histograms merge by summing
 * bucket columns. The watermark is MAX(hour) + 1 h (or the oldest minute row's hour), so
 * no extra state is kept. An hour is compacted once it ended more than `lateMs` ago,
 * which must exceed the worst flush delay (interval + one retry); counts landing later
 * stay in the minute rows but miss that hour's rollup (README "Telemetry").
 *
 * Minute rows are deleted by whole hours and never past the compaction watermark, so a
 * cron outage cannot delete minutes that were never rolled up.
 */

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const FLUSH_ID_TTL_MS = 6 * HOUR_MS;

export interface RetentionOptions {
  /** Minute rows kept (days, default 7). */
  minuteDays?: number;
  /** Hour rows kept (days, default 90). */
  hourDays?: number;
  /** How long after an hour ends before it is compacted (default 10 min). */
  lateMs?: number;
  /** Bound on hours compacted per run; a backlog is worked off over runs (default 48). */
  maxHoursPerRun?: number;
  /** Recompute from this epoch ms (floored to the hour) instead of the watermark; for operators and tests. */
  recomputeFrom?: number;
}

export interface RetentionResult {
  hoursCompacted: number;
  hourRowsWritten: number;
  minuteRowsDeleted: number;
  hourRowsDeleted: number;
  flushIdsDeleted: number;
}

const floorHour = (t: number): number => t - (t % HOUR_MS);

const ALL_KEYS = KEY_COLUMNS.join(", ");
const COMPACT_SQL =
  `INSERT INTO rollup_hour (hour, ${ALL_KEYS}, ${VALUE_COLUMNS.join(", ")}) ` +
  `SELECT minute - (minute % ${HOUR_MS}) AS h, ${ALL_KEYS}, ${VALUE_COLUMNS.map((c) => `SUM(${c})`).join(", ")} ` +
  `FROM rollup_minute WHERE minute >= ?1 AND minute < ?2 GROUP BY h, ${ALL_KEYS}`;

type RetentionDb = Pick<D1Database, "prepare" | "batch">;

export async function runRetention(db: RetentionDb, now: number, opts: RetentionOptions = {}): Promise<RetentionResult> {
  const minuteDays = opts.minuteDays ?? 7;
  const hourDays = Math.max(opts.hourDays ?? 90, minuteDays);
  const lateMs = opts.lateMs ?? 600_000;
  const maxHours = Math.max(1, opts.maxHoursPerRun ?? 48);

  const marks = await db
    .prepare(
      "SELECT (SELECT MAX(hour) FROM rollup_hour) AS max_hour, (SELECT MIN(minute) FROM rollup_minute) AS min_minute, (SELECT MAX(minute) FROM rollup_minute) AS max_minute",
    )
    .first<{ max_hour: number | null; min_minute: number | null; max_minute: number | null }>();
  const oldest = marks?.min_minute ?? null;
  const newest = marks?.max_minute ?? null;
  let start: number | null = null;
  if (opts.recomputeFrom !== undefined) start = floorHour(opts.recomputeFrom);
  else if (oldest !== null) {
    const next = marks?.max_hour != null ? marks.max_hour + HOUR_MS : Number.NEGATIVE_INFINITY;
    start = Math.max(next, floorHour(oldest));
  }
  // Only hours that hold minute rows: an idle stretch is not rescanned every minute.
  const lastWithData = newest === null ? Number.NEGATIVE_INFINITY : floorHour(newest) + HOUR_MS;
  const end = start === null ? null : Math.min(floorHour(now - lateMs), start + maxHours * HOUR_MS, lastWithData);

  let hoursCompacted = 0;
  let hourRowsWritten = 0;
  // Everything below this is rolled up (or there is nothing to roll up).
  let watermark = start ?? Number.POSITIVE_INFINITY;
  if (start !== null && end !== null && end > start) {
    const [, ins] = await db.batch([
      db.prepare("DELETE FROM rollup_hour WHERE hour >= ?1 AND hour < ?2").bind(start, end),
      db.prepare(COMPACT_SQL).bind(start, end),
    ]);
    hoursCompacted = (end - start) / HOUR_MS;
    hourRowsWritten = ins?.meta.changes ?? 0;
    watermark = end;
  }

  const minuteCut = Math.min(floorHour(now - minuteDays * DAY_MS), watermark);
  const hourCut = floorHour(now - hourDays * DAY_MS);
  const [m, h, f] = await db.batch([
    db.prepare("DELETE FROM rollup_minute WHERE minute < ?1").bind(minuteCut),
    db.prepare("DELETE FROM rollup_hour WHERE hour < ?1").bind(hourCut),
    // A flush id only guards that flush's one retry, due one flush interval later.
    db.prepare("DELETE FROM telemetry_flush WHERE at < ?1").bind(now - FLUSH_ID_TTL_MS),
  ]);
  return {
    hoursCompacted,
    hourRowsWritten,
    minuteRowsDeleted: m?.meta.changes ?? 0,
    hourRowsDeleted: h?.meta.changes ?? 0,
    flushIdsDeleted: f?.meta.changes ?? 0,
  };
}

