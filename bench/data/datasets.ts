import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/**
 * The real data the benchmarks, backtests and tests read: shipped in bench/data/,
 * gzip-compressed, with provenance and licence in bench/data/README.md. Nothing here
 * reads outside the repository.
 */
export const DATA_DIR = import.meta.dirname;

function gunzipText(file: string): string {
  return gunzipSync(readFileSync(file)).toString("utf8");
}

/** The NASA-HTTP 1995 trace as CSV text (`timestamp_local,requests,seconds_covered,flag`). */
export function nasaCsv(): string {
  return gunzipText(path.join(DATA_DIR, "nasa_http_1995_requests_per_minute.csv.gz"));
}

export interface NabFile {
  /** `<category>/<file>.csv`, the key of combined_windows.json. */
  readonly name: string;
  readonly csv: string;
  /** Labelled anomaly windows, `[start, end]` as written in the labels. */
  readonly windows: ReadonlyArray<readonly [string, string]>;
}

/** The 32 labelled NAB files with their windows, sorted by name. */
export function nabFiles(): NabFile[] {
  const root = path.join(DATA_DIR, "nab");
  const windows = JSON.parse(readFileSync(path.join(root, "combined_windows.json"), "utf8")) as Record<string, Array<[string, string]>>;
  const out: NabFile[] = [];
  for (const category of readdirSync(path.join(root, "data")).sort()) {
    for (const file of readdirSync(path.join(root, "data", category)).sort()) {
      if (!file.endsWith(".csv.gz")) continue;
      const name = `${category}/${file.slice(0, -3)}`;
      out.push({ name, csv: gunzipText(path.join(root, "data", category, file)), windows: windows[name] ?? [] });
    }
  }
  return out;
}
