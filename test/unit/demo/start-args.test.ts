import { describe, expect, it } from "vitest";
import { StartArgsError, parseStartArgs } from "../../../scripts/lib/start-args.mjs";

describe("npm start's options", () => {
  it("turns traffic on by default, with one day in 10 minutes, 20 req/s and 8 in flight", () => {
    expect(parseStartArgs([], {})).toEqual({
      help: false, demo: true, traffic: true, verbose: false, persistTo: undefined,
      trafficDayMs: 600_000, trafficRps: 20, trafficConcurrency: 8,
    });
  });

  it("reads flags (both `--flag value` and `--flag=value`), env vars, and lets a flag win", () => {
    const a = parseStartArgs(["--traffic-day", "5m", "--traffic-rps=50", "--verbose", "--persist-to", "/tmp/x"], { TRAFFIC_RPS: "3", TRAFFIC_CONCURRENCY: "16" });
    expect(a).toMatchObject({ trafficDayMs: 300_000, trafficRps: 50, trafficConcurrency: 16, verbose: true, persistTo: "/tmp/x" });
    expect(parseStartArgs([], { TRAFFIC_DAY: "1h", PERSIST_TO: "/tmp/y" })).toMatchObject({ trafficDayMs: 3_600_000, persistTo: "/tmp/y" });
  });

  it("--no-traffic turns it off, and --no-demo implies no traffic", () => {
    expect(parseStartArgs(["--no-traffic"]).traffic).toBe(false);
    expect(parseStartArgs(["--no-demo"])).toMatchObject({ demo: false, traffic: false });
  });

  it.each([
    [["--traffic-rps", "0"], /--traffic-rps must be a number from 0.1 to 200, got "0"/],
    [["--traffic-rps", "500"], /--traffic-rps must be a number from 0.1 to 200, got "500"/],
    [["--traffic-rps=abc"], /--traffic-rps must be a number/],
    [["--traffic-concurrency", "100"], /--traffic-concurrency must be a whole number from 1 to 64, got "100"/],
    [["--traffic-concurrency", "1.5"], /--traffic-concurrency must be a whole number/],
    [["--traffic-day", "10"], /--traffic-day must be a duration like 10m, 90s or 1h, got "10"/],
    [["--traffic-day", "2s"], /--traffic-day must be from 10s to 24h, got "2s"/],
    [["--traffic-day", "48h"], /--traffic-day must be from 10s to 24h/],
    [["--traffic-rps"], /--traffic-rps needs a value/],
    [["--traffic-rps", "--verbose"], /--traffic-rps needs a value/],
    [["--trafic-rps", "5"], /unknown option --trafic-rps/],
  ])("rejects %j with a clear error", (argv, message) => {
    expect(() => parseStartArgs(argv, {})).toThrow(message);
  });

  it("names the env var when the bad value came from the environment", () => {
    expect(() => parseStartArgs([], { TRAFFIC_RPS: "fast" })).toThrow(/TRAFFIC_RPS \(env\) must be a number/);
    expect(() => parseStartArgs([], { TRAFFIC_CONCURRENCY: "0" })).toThrow(/TRAFFIC_CONCURRENCY \(env\) must be a whole number from 1 to 64/);
    expect(() => parseStartArgs([], { TRAFFIC_DAY: "soon" })).toThrow(/TRAFFIC_DAY \(env\) must be a duration/);
    expect(() => parseStartArgs([], { TRAFFIC_RPS: "x" })).toThrow(Error);
    try {
      parseStartArgs(["--bogus"]);
    } catch (e) {
      expect(e).toBeInstanceOf(StartArgsError);
    }
  });
});
