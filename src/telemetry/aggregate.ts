import { BUCKET_COUNT, bucketOf } from "./histogram.js";
import type { RequestSample } from "./types.js";

/**
 * The isolate-local aggregate: one cell per (minute, pool, origin, country, colo), counters
 * plus a latency histogram. Pure and synchronous: `add` is O(1) and does no I/O, so it is
 * safe on the request path.
 */

export const MINUTE_MS = 60_000;

export interface Cell {
  minute: number;
  pool: string;
  origin: string;
  country: string;
  colo: string;
  requests: number;
  errConnect: number;
  errTimeout: number;
  err5xx: number;
  err4xx: number;
  retries: number;
  bytes: number;
  latencySumMs: number;
  /** Samples lost to a flush that failed twice, carried until a flush succeeds. */
  dropped: number;
  hist: Float64Array;
}

/** Cardinality fold: past the hard cap a new key keeps its minute/pool/origin/colo but country "ZZ". */
export const OTHER_COUNTRY = "ZZ";

// Country and colo may come from a header outside production, so they are clamped to
// short codes: the key space (and D1 row count) cannot be blown up by free text.
// Checked by char codes, without allocating, because this runs on every request.
function isCode(s: string, min: number, max: number): boolean {
  if (s.length < min || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}
function cleanCountry(c: string): string {
  if (isCode(c, 2, 2)) return c;
  const u = c.toUpperCase();
  return isCode(u, 2, 2) ? u : "XX";
}
function cleanColo(c: string): string {
  if (isCode(c, 2, 8)) return c;
  const u = c.toUpperCase();
  return isCode(u, 2, 8) ? u : "UNK";
}

function emptyCell(minute: number, pool: string, origin: string, country: string, colo: string): Cell {
  return {
    minute, pool, origin, country, colo,
    requests: 0, errConnect: 0, errTimeout: 0, err5xx: 0, err4xx: 0, retries: 0,
    bytes: 0, latencySumMs: 0, dropped: 0, hist: new Float64Array(BUCKET_COUNT),
  };
}

// Nested maps keyed by the sample's own strings: no key string is built per request
// (concatenating and hashing a fresh key cost ~4× more in bench/telemetry.ts).
type Level<T> = Map<string, T>;
type Index = Map<number, Level<Level<Level<Level<Cell>>>>>;

/** The map under `k`, created empty if missing (no closure per call: this runs per request). */
function child<K, V>(m: Map<K, Map<string, V>>, k: K): Map<string, V> {
  let v = m.get(k);
  if (v === undefined) {
    v = new Map();
    m.set(k, v);
  }
  return v;
}

export class Aggregate {
  private readonly index: Index = new Map();
  private readonly cells: Cell[] = [];

  /** @param hardCap distinct keys kept before new countries fold into OTHER_COUNTRY. */
  constructor(private readonly hardCap = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.cells.length;
  }

  values(): IterableIterator<Cell> {
    return this.cells.values();
  }

  private leaf(minute: number, pool: string, origin: string, country: string): Level<Cell> {
    return child(child(child(child(this.index, minute), pool), origin), country);
  }

  /**
   * The cell the previous sample went to. Traffic through an isolate comes in runs of the
   * same minute, pool, origin, country and colo, so most samples land where the one before
   * did, and one comparison of the five keys replaces five nested map lookups.
   */
  private last: Cell | undefined;

  private find(minute: number, pool: string, origin: string, country: string, colo: string, fold: boolean): Cell {
    const l = this.last;
    if (l !== undefined && l.minute === minute && l.pool === pool && l.origin === origin && l.country === country && l.colo === colo) return l;
    const found = this.findSlow(minute, pool, origin, country, colo, fold);
    this.last = found;
    return found;
  }

  private findSlow(minute: number, pool: string, origin: string, country: string, colo: string, fold: boolean): Cell {
    let byColo = this.leaf(minute, pool, origin, country);
    let cell = byColo.get(colo);
    if (cell) return cell;
    if (fold && this.cells.length >= this.hardCap && country !== OTHER_COUNTRY) {
      country = OTHER_COUNTRY;
      byColo = this.leaf(minute, pool, origin, country);
      cell = byColo.get(colo);
      if (cell) return cell;
    }
    cell = emptyCell(minute, pool, origin, country, colo);
    byColo.set(colo, cell);
    this.cells.push(cell);
    return cell;
  }

  add(s: RequestSample): void {
    const minute = s.at - (s.at % MINUTE_MS);
    const cell = this.find(minute, s.pool, s.origin, cleanCountry(s.country), cleanColo(s.colo), true);
    cell.requests += 1;
    switch (s.outcome) {
      case "connect": cell.errConnect += 1; break;
      case "timeout": cell.errTimeout += 1; break;
      case "5xx": cell.err5xx += 1; break;
      case "4xx": cell.err4xx += 1; break;
      case "ok": break;
    }
    if (s.retry) cell.retries += 1;
    if (s.bytes > 0 && Number.isFinite(s.bytes)) cell.bytes += Math.round(s.bytes);
    const ms = Number.isFinite(s.latencyMs) && s.latencyMs > 0 ? s.latencyMs : 0;
    cell.latencySumMs += ms;
    const b = bucketOf(ms);
    cell.hist[b] = (cell.hist[b] ?? 0) + 1;
  }

  private slot(c: Cell): Cell {
    return this.find(c.minute, c.pool, c.origin, c.country, c.colo, false);
  }

  /** Adds another aggregate's counts into this one (additive, like the D1 upsert). */
  merge(other: Aggregate): void {
    for (const c of other.values()) {
      const m = this.slot(c);
      m.requests += c.requests;
      m.errConnect += c.errConnect;
      m.errTimeout += c.errTimeout;
      m.err5xx += c.err5xx;
      m.err4xx += c.err4xx;
      m.retries += c.retries;
      m.bytes += c.bytes;
      m.latencySumMs += c.latencySumMs;
      m.dropped += c.dropped;
      for (let k = 0; k < BUCKET_COUNT; k++) m.hist[k] = (m.hist[k] ?? 0) + (c.hist[k] ?? 0);
    }
  }

  /**
   * Keeps only a record of loss: each of `other`'s cells becomes `dropped` on the same key
   * (its samples plus whatever it already carried as dropped). Returns the newly lost samples.
   */
  mergeAsDropped(other: Aggregate): number {
    let lost = 0;
    for (const c of other.values()) {
      this.slot(c).dropped += c.requests + c.dropped;
      lost += c.requests;
    }
    return lost;
  }

  /** Samples counted in this aggregate (excluding carried `dropped`). */
  requestCount(): number {
    let n = 0;
    for (const c of this.cells) n += c.requests;
    return n;
  }
}
