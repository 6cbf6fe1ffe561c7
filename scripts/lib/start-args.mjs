// `npm start`'s flags and environment, parsed and checked in one place so that a bad value
// stops the start with one line naming the flag, before anything is spawned.
import { LIMITS, DEFAULTS, parseDuration } from "./traffic.mjs";

export const USAGE = `usage: npm start -- [--no-demo] [--no-traffic] [--verbose] [--persist-to DIR]
                    [--traffic-day 10m] [--traffic-rps 20] [--traffic-concurrency 8]
env: PORT (8787), ENVIRONMENT (development), TRAFFIC_DAY, TRAFFIC_RPS, TRAFFIC_CONCURRENCY, PERSIST_TO`;

export class StartArgsError extends Error {
  name = "StartArgsError";
}

const SWITCHES = new Set(["--no-demo", "--no-traffic", "--verbose", "--help"]);
const VALUED = { "--traffic-day": "TRAFFIC_DAY", "--traffic-rps": "TRAFFIC_RPS", "--traffic-concurrency": "TRAFFIC_CONCURRENCY", "--persist-to": "PERSIST_TO" };

function number(text, name, min, max, integer) {
  const v = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new StartArgsError(`${name} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return v;
}

/**
 * argv (after the script) and env → the start's settings. A flag wins over its env var.
 * Throws StartArgsError for an unknown flag, a flag without its value, or a value out of range.
 */
export function parseStartArgs(argv, env = {}) {
  const given = new Map();
  const switches = new Set();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (SWITCHES.has(arg)) switches.add(arg);
    else if (name in VALUED) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) throw new StartArgsError(`${name} needs a value`);
      given.set(name, value);
    } else throw new StartArgsError(`unknown option ${arg}\n${USAGE}`);
  }
  const pick = (flag) => {
    if (given.has(flag)) return { text: given.get(flag), name: flag };
    const v = env[VALUED[flag]];
    return v === undefined || v === "" ? undefined : { text: v, name: `${VALUED[flag]} (env)` };
  };
  const day = pick("--traffic-day");
  const rps = pick("--traffic-rps");
  const conc = pick("--traffic-concurrency");
  const dayMs = day ? parseDuration(day.text, day.name) : DEFAULTS.dayMs;
  if (dayMs < LIMITS.minDayMs || dayMs > LIMITS.maxDayMs) throw new StartArgsError(`${day.name} must be from 10s to 24h, got ${JSON.stringify(day.text)}`);
  const demo = !switches.has("--no-demo");
  return {
    help: switches.has("--help"),
    demo,
    // Traffic needs the demo's origins and config; --no-demo keeps whatever D1 holds, so no traffic either.
    traffic: demo && !switches.has("--no-traffic"),
    verbose: switches.has("--verbose"),
    persistTo: pick("--persist-to")?.text,
    trafficDayMs: dayMs,
    trafficRps: rps ? number(rps.text, rps.name, 0.1, LIMITS.maxRps, false) : DEFAULTS.peakRps,
    trafficConcurrency: conc ? number(conc.text, conc.name, 1, LIMITS.maxConcurrency, true) : DEFAULTS.concurrency,
  };
}
