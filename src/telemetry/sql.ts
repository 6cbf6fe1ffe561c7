import type { Cell } from "./aggregate.js";
import { BUCKET_COUNT, HIST_COLUMNS } from "./histogram.js";

/**
 * Builds the flush's multi-row additive upserts. Two D1 limits shape it
 * (developers.cloudflare.com/d1/platform/limits): at most 100 bound parameters per
 * statement and at most 100 KB of SQL. Counters are integers this module computes itself,
 * so they are written as numeric literals (checked finite, never text from outside); only
 * the four key strings are bound, each distinct string once per statement (`?N` reused).
 * A realistic flush (tens of origins × countries, one colo per isolate) fits one statement.
 */

export const KEY_COLUMNS = ["pool", "origin", "country", "colo"] as const;
export const COUNTER_COLUMNS = [
  "requests", "err_connect", "err_timeout", "err_5xx", "err_4xx",
  "retries", "bytes", "latency_sum_ms", "dropped",
] as const;
export const VALUE_COLUMNS: readonly string[] = [...COUNTER_COLUMNS, ...HIST_COLUMNS];

export interface Statement {
  sql: string;
  params: string[];
  rows: number;
}

export interface ChunkLimits {
  maxParams: number;
  maxSqlChars: number;
  /** Rows per statement: a 720-row upsert (~70 KB) failed with SQLITE_NOMEM in local D1 (workerd 1.20261023); 400 passes. */
  maxRows: number;
}
export const D1_LIMITS: ChunkLimits = { maxParams: 100, maxSqlChars: 90_000, maxRows: 400 };

function int(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n)) : "0";
}
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : "0";
}

function rowValues(c: Cell): string {
  const v = [
    int(c.requests), int(c.errConnect), int(c.errTimeout), int(c.err5xx), int(c.err4xx),
    int(c.retries), int(c.bytes), num(c.latencySumMs), int(c.dropped),
  ];
  for (let k = 0; k < BUCKET_COUNT; k++) v.push(int(c.hist[k] ?? 0));
  return v.join(",");
}

/** `SET requests = requests + excluded.requests, …`: concurrent isolates add, never overwrite. */
export function additiveSet(columns: readonly string[]): string {
  return columns.map((c) => `${c} = ${c} + excluded.${c}`).join(", ");
}

const HEAD = `INSERT INTO rollup_minute (minute, ${KEY_COLUMNS.join(", ")}, ${VALUE_COLUMNS.join(", ")}) VALUES `;
const TAIL = ` ON CONFLICT (minute, ${KEY_COLUMNS.join(", ")}) DO UPDATE SET ${additiveSet(VALUE_COLUMNS)}`;

/** Chunks cells into as few upsert statements as the limits allow. */
export function buildUpserts(cells: Iterable<Cell>, limits: ChunkLimits = D1_LIMITS): Statement[] {
  const out: Statement[] = [];
  let params: string[] = [];
  let index = new Map<string, number>();
  let rows: string[] = [];
  let chars = HEAD.length + TAIL.length;

  const close = (): void => {
    if (rows.length === 0) return;
    out.push({ sql: HEAD + rows.join(",") + TAIL, params, rows: rows.length });
    params = [];
    index = new Map();
    rows = [];
    chars = HEAD.length + TAIL.length;
  };

  for (const c of cells) {
    const keys = [c.pool, c.origin, c.country, c.colo];
    const fresh = new Set(keys.filter((k) => !index.has(k))).size;
    const values = rowValues(c);
    const approx = values.length + 40;
    if (rows.length > 0 && (params.length + fresh > limits.maxParams || chars + approx > limits.maxSqlChars || rows.length >= limits.maxRows)) close();
    const refs = keys.map((k) => {
      let i = index.get(k);
      if (i === undefined) {
        params.push(k);
        i = params.length;
        index.set(k, i);
      }
      return `?${i}`;
    });
    rows.push(`(${int(c.minute)},${refs.join(",")},${values})`);
    chars += approx + 1;
  }
  close();
  return out;
}
