/**
 * Discrete-time simulation of the fleet, to check the closed-form model (model.ts): each
 * location's isolates run the code's own timer rules step by step, with Poisson arrivals,
 * random start phases and a late-firing flush timer (jitter), all from an injected `random`.
 *
 * Rules mirrored (the files say why they are so):
 * - housekeeping at most every 25 ms, from a request (src/edge/handler.ts): the config and
 *   health reads when `refreshS` has passed; the telemetry flush when due (interval passed
 *   with keys pending, or `maxKeys` keys), else arm one timer for interval after the last
 *   flush (src/telemetry/telemetry.ts);
 * - after each request, one report per origin that saw traffic since its last report and
 *   whose last report is `stalenessS` old (src/breaker/client.ts sync).
 * The minute cron is not simulated; its statements (the model's) are added to both sides.
 *
 * One isolate per location is simulated by default and weighted by the location's isolate
 * count: isolates of a location are identically distributed and independent here.
 */
import { cronStatementsPerMinute, locationsOf, statementsPerFlush, type Fleet } from "./model.js";

export interface SimOptions {
  durationS: number;
  /** Simulated before counting starts, so timers reach their steady phase. */
  warmupS: number;
  dtMs: number;
  /** The flush timer fires up to this late (uniform). */
  jitterMs: number;
  random: () => number;
  sampledPerLocation?: number;
}

export interface SimResult {
  d1ReadsPerS: number;
  d1WritesPerS: number;
  d1QueriesPerS: number;
  flushesPerS: number;
  doCallsPerS: number;
  hottestObjectPerS: number;
}

export { mulberry32 } from "../../test/support/prng.js";

interface IsolateCounts {
  reads: number;
  statements: number;
  flushes: number;
  calls: Float64Array;
}

function simIsolate(f: Fleet, lambda: number, o: SimOptions): IsolateCounts {
  const d = f.design;
  const rnd = o.random;
  const dt = o.dtMs / 1000;
  const origins = f.originsPerPool;
  const countries = f.countriesPerLocation;
  const cells = origins * countries;
  const p = 1 - Math.exp(-(lambda / cells) * dt);
  const pAny = 1 - (1 - p) ** cells;
  // P(cell j arrives | none before it, at least one from j on), for exact conditional draws.
  const firstGiven = Array.from({ length: cells }, (_, j) => p / (1 - (1 - p) ** (cells - j)));
  const out: IsolateCounts = { reads: 0, statements: 0, flushes: 0, calls: new Float64Array(origins) };
  let lastFlush = -rnd() * d.flushIntervalS;
  let checkedAt = -rnd() * d.refreshS;
  let housekeepingAt = Number.NEGATIVE_INFINITY;
  let armedAt = Number.POSITIVE_INFINITY;
  const lastSync = Float64Array.from({ length: origins }, () => -rnd() * d.stalenessS);
  const dirty = new Uint8Array(origins);
  const arrived = new Uint8Array(cells);
  const keys = new Set<number>();
  const warm = Math.round(o.warmupS / dt);
  const steps = warm + Math.round(o.durationS / dt);
  let counting = false;
  const due = (t: number) => keys.size >= d.maxKeys || (keys.size > 0 && t - lastFlush >= d.flushIntervalS - 1e-9);
  const flush = (t: number) => {
    if (counting) {
      out.statements += statementsPerFlush(keys.size, origins, countries);
      out.flushes += 1;
    }
    keys.clear();
    lastFlush = t;
  };
  for (let s = 0; s < steps; s++) {
    const t = (s - warm) * dt;
    counting = s >= warm;
    if (t >= armedAt) {
      armedAt = Number.POSITIVE_INFINITY;
      if (due(t)) flush(t);
    }
    if (rnd() >= pAny) continue;
    let any = false;
    for (let j = 0; j < cells; j++) {
      const hit: boolean = rnd() < (any ? p : (firstGiven[j] ?? 1));
      arrived[j] = hit ? 1 : 0;
      any ||= hit;
    }
    if (t >= housekeepingAt) {
      housekeepingAt = t + 0.025;
      if (t - checkedAt >= d.refreshS - 1e-9) {
        checkedAt = t;
        if (counting) out.reads += d.readsPerRefresh;
      }
      if (due(t)) flush(t);
      else if (keys.size > 0 && armedAt === Number.POSITIVE_INFINITY) armedAt = lastFlush + d.flushIntervalS + (rnd() * o.jitterMs) / 1000;
    }
    const minute = Math.floor(t / 60);
    for (let j = 0; j < cells; j++) {
      if (arrived[j] === 0) continue;
      keys.add(minute * cells + j);
      dirty[Math.floor(j / countries)] = 1;
    }
    for (let k = 0; k < origins; k++) {
      if (dirty[k] === 1 && t - (lastSync[k] ?? 0) >= d.stalenessS - 1e-9) {
        dirty[k] = 0;
        lastSync[k] = t;
        if (counting) out.calls[k] = (out.calls[k] ?? 0) + 1;
      }
    }
  }
  return out;
}

export function simulate(f: Fleet, o: SimOptions): SimResult {
  if (!(o.durationS > 0 && o.dtMs > 0 && o.warmupS >= 0 && o.jitterMs >= 0)) throw new Error("simulate: durationS and dtMs must be > 0, warmupS and jitterMs >= 0");
  let reads = 0;
  let statements = 0;
  let flushes = 0;
  let calls = 0;
  const perObject = new Float64Array(f.pools * f.originsPerPool);
  for (const loc of locationsOf(f)) {
    const m = Math.min(loc.isolates, Math.max(1, o.sampledPerLocation ?? 1));
    const w = loc.isolates / m;
    for (let i = 0; i < m; i++) {
      const c = simIsolate(f, loc.isolateRps, o);
      reads += c.reads * w;
      statements += c.statements * w;
      flushes += c.flushes * w;
      c.calls.forEach((n, k) => {
        calls += n * w;
        const idx = loc.pool * f.originsPerPool + k;
        perObject[idx] = (perObject[idx] ?? 0) + n * w;
      });
    }
  }
  const cron = cronStatementsPerMinute(f);
  const per = (x: number) => x / o.durationS;
  return {
    d1ReadsPerS: per(reads) + cron.reads / 60,
    d1WritesPerS: per(statements) + cron.writes / 60,
    d1QueriesPerS: per(reads + statements) + (cron.reads + cron.writes) / 60,
    flushesPerS: per(flushes),
    doCallsPerS: per(calls),
    hottestObjectPerS: per(Math.max(...perObject)),
  };
}
