import type { RawPoint } from "./types.js";

export type CsvResult = { ok: true; points: RawPoint[] } | { ok: false; reason: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const EPOCH = /^-?\d+(?:\.\d+)?$/;

/**
 * Parse a `timestamp,value` CSV (the backtest contract): header line optional, extra
 * columns ignored, timestamps ISO-8601 with `T` or a space (no zone = UTC) or epoch
 * seconds. Any row that has a timestamp but an unparsable value is an error (a silently
 * dropped row would bend every score), as is a file with fewer than two points.
 */
export function parseTimestampValueCsv(text: string): CsvResult {
  const lines = text.split(/\r?\n/);
  const points: RawPoint[] = [];
  let first = true;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = (lines[ln] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
    const t = parseTimestamp(cells[0] ?? "");
    const valueCell = cells[1] ?? "";
    const v = valueCell === "" ? Number.NaN : Number(valueCell);
    if (first && Number.isNaN(t) && !Number.isFinite(v)) {
      first = false; // header
      continue;
    }
    first = false;
    if (Number.isNaN(t)) return { ok: false, reason: `line ${ln + 1}: unparsable timestamp ${JSON.stringify(cells[0] ?? "")}` };
    if (!Number.isFinite(v)) return { ok: false, reason: `line ${ln + 1}: unparsable value ${JSON.stringify(valueCell)}` };
    points.push({ t, v });
  }
  if (points.length === 0) return { ok: false, reason: "no usable rows" };
  const distinct = new Set(points.map((p) => p.t));
  if (distinct.size < 2) return { ok: false, reason: "a single point: need at least two timestamps" };
  return { ok: true, points };
}

/** Epoch ms, or NaN. */
export function parseTimestamp(s: string): number {
  if (EPOCH.test(s)) return Number(s) * 1000;
  const m = ISO.exec(s);
  if (!m) return Number.NaN;
  const [, y, mo, d, hh, mi, ss, frac, zone] = m;
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh ?? 0), Number(mi ?? 0), Number(ss ?? 0), ms);
  if (Number.isNaN(utc)) return Number.NaN;
  if (!zone || zone === "Z") return utc;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}
