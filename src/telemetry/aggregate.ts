import { BUCKET_COUNT, bucketOf } from "./histogram";
import type { RequestSample } from "./types";

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
const COUNTRY = /^[A-Z0-9]{2}$/;
const COLO = /^[A-Z0-9]{2,8}$/;

// Country and colo may come from a header outside production, so they are clamped to
// short codes: the key space (and D1 row count) cannot be blown up by free text.
function cleanCountry(c: string): string {
  const u = c.toUpperCase();
  return COUNTRY.test(u) ? u : "XX";
}
function cleanColo(c: string): string {
  const u = c.toUpperCase();
  return COLO.test(u) ? u : "UNK";
}

function emptyCell(minute: number, pool: string, origin: string, country: string, colo: string): Cell {
  return {
    minute, pool, origin, country, colo,
    requests: 0, errConnect: 0, errTimeout: 0, err5xx: 0, err4xx: 0, retries: 0,
    bytes: 0, latencySumMs: 0, dropped: 0, hist: new Float64Array(BUCKET_COUNT),
  };
}

const keyOf = (minute: number, pool: string, origin: string, country: string, colo: string): string =>
  `${minute}\u0000${pool}\u0000${origin}\u0000${country}\u0000${colo}`;

export class Aggregate {
  private readonly cells = new Map<string, Cell>();

  /** @param hardCap distinct keys kept before new countries fold into OTHER_COUNTRY. */
  constructor(private readonly hardCap = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.cells.size;
  }

  values(): IterableIterator<Cell> {
    return this.cells.values();
  }

  add(s: RequestSample): void {
    const minute = s.at - (s.at % MINUTE_MS);
    let country = cleanCountry(s.country);
    const colo = cleanColo(s.colo);
    let key = keyOf(minute, s.pool, s.origin, country, colo);
    let cell = this.cells.get(key);
    if (!cell) {
      if (this.cells.size >= this.hardCap) {
        country = OTHER_COUNTRY;
        key = keyOf(minute, s.pool, s.origin, country, colo);
        cell = this.cells.get(key);
      }
      if (!cell) {
        cell = emptyCell(minute, s.pool, s.origin, country, colo);
        this.cells.set(key, cell);
      }
    }
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
    const key = keyOf(c.minute, c.pool, c.origin, c.country, c.colo);
    let mine = this.cells.get(key);
    if (!mine) {
      mine = emptyCell(c.minute, c.pool, c.origin, c.country, c.colo);
      this.cells.set(key, mine);
    }
    return mine;
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
    for (const c of this.cells.values()) n += c.requests;
    return n;
  }
}
