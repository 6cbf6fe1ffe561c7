// The demo's traffic: a day of geo-mixed requests replayed through the edge, sped up (by
// default one day in 10 minutes), so the dashboard, rollups and forecasts fill with data
// that has a shape. Each country's share follows its local time of day; the overall rate
// is capped and the in-flight count bounded; only loopback targets are accepted.
// The core (mix, rate, schedule, limiter) is pure: clock, sleep and fetch are injected.

export const LIMITS = Object.freeze({ maxRps: 200, maxConcurrency: 64, minDayMs: 10_000, maxDayMs: 86_400_000 });
export const DEFAULTS = Object.freeze({ dayMs: 600_000, peakRps: 20, concurrency: 8 });
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Ten countries over six continents, each at a large city (lat/lon, the nearest Cloudflare
 * colo by IATA code) with its standard UTC offset (DST ignored: a demo, not an almanac) and
 * a relative size, roughly in proportion to their share of web traffic.
 */
export const PLACES = Object.freeze([
  { country: "US", continent: "NA", lat: 40.71, lon: -74.01, colo: "EWR", utcOffsetHours: -5, weight: 1.0 },
  { country: "BR", continent: "SA", lat: -23.55, lon: -46.63, colo: "GRU", utcOffsetHours: -3, weight: 0.35 },
  { country: "GB", continent: "EU", lat: 51.51, lon: -0.13, colo: "LHR", utcOffsetHours: 0, weight: 0.35 },
  { country: "DE", continent: "EU", lat: 50.11, lon: 8.68, colo: "FRA", utcOffsetHours: 1, weight: 0.4 },
  { country: "FR", continent: "EU", lat: 48.86, lon: 2.35, colo: "CDG", utcOffsetHours: 1, weight: 0.3 },
  { country: "ZA", continent: "AF", lat: -26.2, lon: 28.05, colo: "JNB", utcOffsetHours: 2, weight: 0.12 },
  { country: "IN", continent: "AS", lat: 19.08, lon: 72.88, colo: "BOM", utcOffsetHours: 5.5, weight: 0.6 },
  { country: "SG", continent: "AS", lat: 1.35, lon: 103.82, colo: "SIN", utcOffsetHours: 8, weight: 0.15 },
  { country: "JP", continent: "AS", lat: 35.68, lon: 139.69, colo: "NRT", utcOffsetHours: 9, weight: 0.45 },
  { country: "AU", continent: "OC", lat: -33.87, lon: 151.21, colo: "SYD", utcOffsetHours: 10, weight: 0.2 },
].map((p) => Object.freeze(p)));

// Relative load by local hour (0..23): trough before dawn, a working-day plateau, peak at
// 20:00. An illustrative shape of consumer web traffic, not measured data.
const CURVE = [0.45, 0.32, 0.22, 0.16, 0.13, 0.14, 0.2, 0.32, 0.48, 0.6, 0.68, 0.74, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.92, 0.97, 1.0, 0.95, 0.8, 0.62];

/** Relative load (0..1] at a local hour (fractional, any real number; wraps at 24), linearly interpolated. */
export function diurnal(localHour) {
  const h = ((localHour % 24) + 24) % 24;
  const i = Math.floor(h);
  const a = CURVE[i];
  const b = CURVE[(i + 1) % 24];
  return a + (b - a) * (h - i);
}

const localHour = (place, simUtcMs) => (((simUtcMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS + place.utcOffsetHours;
const loads = (simUtcMs) => PLACES.map((p) => p.weight * diurnal(localHour(p, simUtcMs)));

/** Each country's share of the requests at a simulated UTC instant; the shares sum to 1. */
export function countryMix(simUtcMs) {
  const l = loads(simUtcMs);
  const total = l.reduce((s, x) => s + x, 0);
  return PLACES.map((p, i) => ({ country: p.country, continent: p.continent, share: l[i] / total }));
}

// The busiest minute of the day, so that the rate reaches peakRps there and nowhere more.
const PEAK_LOAD = Math.max(...Array.from({ length: 1440 }, (_, m) => loads(m * 60_000).reduce((s, x) => s + x, 0)));

/** Requests per (real) second at a simulated UTC instant: peakRps at the day's busiest minute. */
export function rateAt(simUtcMs, peakRps) {
  return (peakRps * loads(simUtcMs).reduce((s, x) => s + x, 0)) / PEAK_LOAD;
}

/** The x-edge-geo header for a place (CONTRACT.md "Geo in development and tests"). */
export const geoHeader = (p) => `country=${p.country}; continent=${p.continent}; lat=${p.lat}; lon=${p.lon}; colo=${p.colo}`;

/** xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 2003): uniform [0, 1), deterministic per seed. */
export function seededRandom(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4_294_967_296;
  };
}

// What a small shop's visitors ask for; about one request in sixteen is a POST.
const PATHS = [
  { w: 20, method: "GET", path: () => "/" },
  { w: 10, method: "GET", path: () => "/hello" },
  { w: 18, method: "GET", path: () => "/api/products" },
  { w: 15, method: "GET", path: (r) => `/api/products/${1 + Math.floor(r() * 500)}` },
  { w: 8, method: "GET", path: (r) => `/api/search?q=${["shoes", "lamp", "tea", "desk", "bike"][Math.floor(r() * 5)]}` },
  { w: 12, method: "GET", path: () => "/static/app.js" },
  { w: 8, method: "GET", path: (r) => `/images/${1 + Math.floor(r() * 40)}.jpg` },
  { w: 4, method: "POST", path: () => "/api/cart", body: (r) => ({ product: 1 + Math.floor(r() * 500), qty: 1 + Math.floor(r() * 3) }) },
  { w: 2, method: "POST", path: () => "/api/checkout", body: (r) => ({ cart: Math.floor(r() * 1e9).toString(36) }) },
];
const PATH_TOTAL = PATHS.reduce((s, p) => s + p.w, 0);

function pickWeighted(items, weightOf, total, u) {
  let x = u * total;
  for (const it of items) {
    x -= weightOf(it);
    if (x < 0) return it;
  }
  return items[items.length - 1];
}

/**
 * The arrivals, in order: `next()` answers the next request and when (real ms) it is due.
 * Gaps are 1/rate with ±50 % jitter, never shorter than 1/peakRps, so the schedule alone
 * never goes faster than peakRps. The same options and seed give the same schedule.
 */
export function createSchedule({ seed, startMs, simStartUtcMs, dayMs, peakRps }) {
  const rand = seededRandom(seed);
  const speed = DAY_MS / dayMs;
  const minGapMs = 1000 / peakRps;
  let at = startMs;
  return {
    next() {
      const simUtcMs = simStartUtcMs + (at - startMs) * speed;
      const mix = countryMix(simUtcMs);
      const place = PLACES[mix.indexOf(pickWeighted(mix, (m) => m.share, 1, rand()))];
      const kind = pickWeighted(PATHS, (p) => p.w, PATH_TOTAL, rand());
      const req = {
        atMs: at,
        simUtcMs,
        place,
        method: kind.method,
        path: kind.path(rand),
        headers: { "x-edge-geo": geoHeader(place), "user-agent": "aether-demo-traffic/1" },
      };
      if (kind.body) {
        req.body = JSON.stringify(kind.body(rand));
        req.headers["content-type"] = "application/json";
      }
      at += Math.max(minGapMs, (1000 / rateAt(simUtcMs, peakRps)) * (0.5 + rand()));
      return req;
    },
  };
}

/**
 * At most `limit` acquisitions in any window of `windowMs` (a ring of the last `limit`
 * times). The runner's hard rail: a stalled event loop must not turn into a burst.
 */
export function createLimiter(limit, windowMs) {
  const ring = new Array(limit).fill(Number.NEGATIVE_INFINITY);
  let i = 0;
  return {
    tryAcquire(now) {
      if (now - ring[i] < windowMs) return false;
      ring[i] = now;
      i = (i + 1) % limit;
      return true;
    },
  };
}

export class TrafficOptionError extends Error {
  name = "TrafficOptionError";
}

const LOOPBACK_NAMES = new Set(["localhost", "[::1]"]);

/** The target as a URL, or a TrafficOptionError unless it is http(s) on a loopback address. */
export function assertLoopback(target) {
  let url;
  try {
    url = new URL(String(target));
  } catch {
    throw new TrafficOptionError(`traffic target must be a URL like http://127.0.0.1:8787, got ${JSON.stringify(target)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TrafficOptionError(`traffic target must be http(s), got ${url.protocol}`);
  const host = url.hostname.toLowerCase();
  if (!LOOPBACK_NAMES.has(host) && !/^127(\.\d{1,3}){3}$/.test(host)) {
    throw new TrafficOptionError(`traffic target must be on this machine (127.0.0.0/8, ::1 or localhost), got ${host}`);
  }
  return url;
}

/** "10m", "90s", "1.5h", "500ms" → ms; a TrafficOptionError for anything else. */
export function parseDuration(text, what = "duration") {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text).trim());
  if (!m) throw new TrafficOptionError(`${what} must be a duration like 10m, 90s or 1h, got ${JSON.stringify(text)}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: HOUR_MS }[m[2]];
}

function checkNumber(value, what, min, max, integer) {
  const ok = typeof value === "number" && Number.isFinite(value) && (!integer || Number.isInteger(value));
  if (!ok || value < min || value > max) {
    throw new TrafficOptionError(`${what} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Defaults filled in and every field checked; a TrafficOptionError that names the field. */
export function resolveTrafficOptions(opts = {}) {
  return {
    target: assertLoopback(opts.target).origin,
    dayMs: checkNumber(opts.dayMs ?? DEFAULTS.dayMs, "dayMs (the length of a simulated day)", LIMITS.minDayMs, LIMITS.maxDayMs, false),
    peakRps: checkNumber(opts.peakRps ?? DEFAULTS.peakRps, "peakRps", 0.1, LIMITS.maxRps, false),
    concurrency: checkNumber(opts.concurrency ?? DEFAULTS.concurrency, "concurrency", 1, LIMITS.maxConcurrency, true),
    seed: checkNumber(opts.seed ?? 1, "seed", 0, 4_294_967_295, true),
  };
}

const emptyStats = () => ({ sent: 0, ok: 0, errors: 0, shed: 0, byCountry: {} });

/**
 * Runs the schedule against `target` until `signal` aborts, then waits for the requests in
 * flight (they get the same signal) and resolves the totals. Arrivals due while
 * `concurrency` requests are in flight, or that the limiter refuses, are shed, not queued.
 * A 5xx or a failed fetch counts as an error.
 */
export function startTraffic(opts) {
  const o = resolveTrafficOptions(opts);
  const { now, sleep, fetch, signal } = opts;
  const schedule = createSchedule({ seed: o.seed, startMs: now(), simStartUtcMs: opts.simStartUtcMs ?? now(), dayMs: o.dayMs, peakRps: o.peakRps });
  const burst = Math.max(1, Math.ceil(o.peakRps));
  const limiter = createLimiter(burst, (1000 * burst) / o.peakRps);
  const stats = emptyStats();
  const inflight = new Set();
  let simUtcMs = opts.simStartUtcMs ?? now();

  async function send(req) {
    const country = req.place.country;
    stats.sent++;
    stats.byCountry[country] = (stats.byCountry[country] ?? 0) + 1;
    try {
      const res = await fetch(o.target + req.path, { method: req.method, headers: req.headers, body: req.body, signal });
      await res.arrayBuffer?.().catch(() => undefined);
      if (res.status >= 500) stats.errors++;
      else stats.ok++;
    } catch {
      if (!signal?.aborted) stats.errors++;
    }
    opts.onResponse?.(req);
  }

  const done = (async () => {
    while (!signal?.aborted) {
      const req = schedule.next();
      simUtcMs = req.simUtcMs;
      const wait = req.atMs - now();
      if (wait > 0) await sleep(wait, signal);
      if (signal?.aborted) break;
      // More than a second late (a stalled loop): drop it rather than catch up in a burst.
      if (now() - req.atMs > 1000 || inflight.size >= o.concurrency || !limiter.tryAcquire(now())) {
        stats.shed++;
        continue;
      }
      const p = send(req).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.allSettled([...inflight]);
    return snapshot();
  })();

  function snapshot() {
    return { ...stats, byCountry: { ...stats.byCountry }, simUtcMs };
  }
  return { stats: snapshot, done, options: o };
}

/** One line for the quiet console: what happened between two snapshots. */
export function formatSummary(prev, cur, elapsedMs) {
  const d = (k) => cur[k] - (prev?.[k] ?? 0);
  const counts = Object.entries(cur.byCountry)
    .map(([c, n]) => [c, n - (prev?.byCountry[c] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const sent = d("sent");
  const top = counts.slice(0, 4).map(([c, n]) => `${c} ${Math.round((100 * n) / sent)}%`).join(" ");
  const t = new Date(cur.simUtcMs).toISOString().slice(11, 16);
  return `traffic: ${sent} requests in ${Math.round(elapsedMs / 1000)} s, ${d("errors")} errors${d("shed") ? `, ${d("shed")} shed` : ""}, ${counts.length} countries (${top}); simulated ${t} UTC`;
}
