import { describe, expect, it } from "vitest";
import { edgeConfigSchema } from "../../../src/config/schema";
import { LoadStats } from "../../../src/routing/load";
import { Deadlines } from "../../../src/routing/deadlines";
import { proxyRequest, type ProxyDeps } from "../../../src/routing/proxy";
import { RetryBudget } from "../../../src/routing/retry-budget";
import { PICKERS } from "../../../src/routing/selection";
import { RoutingTable } from "../../../src/routing/table";

const config = edgeConfigSchema.parse({
  steering: { policy: "failover" },
  pools: [{ id: "p", selection: "round_robin", origins: [{ id: "a", url: "http://a.test" }, { id: "b", url: "http://b.test" }] }],
});

/** Deps whose fetch fails on origin "a" as told and answers 200 from "b". */
function deps(aFails: "connect" | 503, budget: RetryBudget): ProxyDeps & { hosts: string[] } {
  const load = new LoadStats(() => 0);
  const table = new RoutingTable(config, 1, load, PICKERS);
  table.refresh(0, 0, () => true);
  const hosts: string[] = [];
  let r = 0;
  return {
    hosts,
    table,
    load,
    budget,
    retries: config.retries,
    debugHeaders: true,
    admit: () => true,
    onAttempt: () => undefined,
    fetch: async (url) => {
      const host = new URL(url).host;
      hosts.push(host);
      if (host === "a.test") {
        if (aFails === "connect") throw new Error("connection refused");
        return new Response("busy", { status: 503 });
      }
      return new Response("ok");
    },
    now: () => 0,
    // Round robin starts at a random offset: these draws make it start at "a".
    random: () => ((r++ % 2) * 0.99),
    deadlines: { add: () => undefined, settle: () => undefined },
    newToken: () => "t",
    retryAfterS: 5,
    onFault: (err) => {
      throw err;
    },
  };
}

const request = (method = "GET") => {
  const req = new Request("http://edge.test/x", { method });
  return { request: req, href: req.url, url: new URL(req.url), now: 0, geo: {}, pools: ["p"], clientIp: undefined, ctx: { waitUntil: () => undefined } };
};

describe("proxyRequest retries and the retry budget", () => {
  it("retries a 503 on the other origin while the budget allows", async () => {
    const d = deps(503, new RetryBudget(20, 3));
    const res = await proxyRequest(request(), d);
    expect(res.status).toBe(200);
    expect(d.hosts).toEqual(["a.test", "b.test"]);
    expect(res.headers.get("x-edge-attempts")).toBe("2");
  });

  it("answers the 503 when the budget is spent", async () => {
    const d = deps(503, new RetryBudget(0, 0));
    const res = await proxyRequest(request(), d);
    expect(res.status).toBe(503);
    expect(d.hosts).toEqual(["a.test"]);
  });

  it("moves a connect failure to the other origin even with the budget spent (no idempotent request lost)", async () => {
    const d = deps("connect", new RetryBudget(0, 0));
    const res = await proxyRequest(request(), d);
    expect(res.status).toBe(200);
    expect(d.hosts).toEqual(["a.test", "b.test"]);
  });

  it("moves a bodiless POST after a connect failure, but never after a 503", async () => {
    const c = deps("connect", new RetryBudget(20, 3));
    expect((await proxyRequest(request("POST"), c)).status).toBe(200);
    const s = deps(503, new RetryBudget(20, 3));
    expect((await proxyRequest(request("POST"), s)).status).toBe(503);
    expect(s.hosts).toEqual(["a.test"]);
  });
});

describe("proxyRequest with nowhere left to retry", () => {
  it("hands the client the origin's own 503 (body intact) when the pool has no other origin", async () => {
    const single = edgeConfigSchema.parse({ steering: { policy: "failover" }, pools: [{ id: "p", selection: "round_robin", origins: [{ id: "a", url: "http://a.test" }] }] });
    const d = deps(503, new RetryBudget(20, 3));
    const load = new LoadStats(() => 0);
    const table = new RoutingTable(single, 1, load, PICKERS);
    table.refresh(0, 0, () => true);
    const res = await proxyRequest(request(), { ...d, table, load });
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("busy");
    expect(res.headers.get("x-edge-attempts")).toBe("1");
  });
});

describe("proxyRequest and an origin's host_header", () => {
  const withHost = edgeConfigSchema.parse({
    steering: { policy: "failover" },
    pools: [{ id: "p", origins: [{ id: "a", url: "https://a.test:8443/base", host_header: "app.example" }] }],
  });
  async function sent(production: boolean): Promise<{ url: string; resolveOverride: string | undefined }> {
    const load = new LoadStats(() => 0);
    const table = new RoutingTable(withHost, 1, load, PICKERS, production);
    table.refresh(0, 0, () => true);
    let seen: { url: string; resolveOverride: string | undefined } | undefined;
    const d = deps(503, new RetryBudget(20, 3));
    await proxyRequest(request(), {
      ...d,
      table,
      load,
      fetch: async (url, init) => {
        seen = { url, resolveOverride: (init as RequestInit<RequestInitCfProperties>).cf?.resolveOverride };
        return new Response("ok");
      },
    });
    return seen!;
  }
  it("in production names host_header in the URL (so Host) and dials the origin with resolveOverride", async () => {
    expect(await sent(true)).toEqual({ url: "https://app.example:8443/base/x", resolveOverride: "a.test" });
  });
  it("outside production dials the origin URL as configured (workerd has no resolveOverride)", async () => {
    expect(await sent(false)).toEqual({ url: "https://a.test:8443/base/x", resolveOverride: undefined });
  });
});

describe("proxyRequest and the per-try deadline", () => {
  it("a try whose deadline expires is a timeout, retried on the other origin; the watchdog goes to waitUntil", async () => {
    const d = deps(503, new RetryBudget(20, 3));
    let clock = 0;
    let wake: (() => void) | undefined;
    const deadlines = new Deadlines({ now: () => clock, sleep: () => new Promise<void>((r) => (wake = r)) });
    const background: Promise<unknown>[] = [];
    const hosts: string[] = [];
    const res = proxyRequest(
      { ...request(), ctx: { waitUntil: (p) => void background.push(p) } },
      {
        ...d,
        now: () => clock,
        deadlines,
        // "a" never answers unless aborted; "b" answers at once.
        fetch: (url, init) => {
          const host = new URL(url).host;
          hosts.push(host);
          if (host === "b.test") return Promise.resolve(new Response("ok"));
          return new Promise<Response>((_, reject) => init.signal!.addEventListener("abort", () => reject(new Error("aborted"))));
        },
      },
    );
    await Promise.resolve();
    expect(background).toHaveLength(1);
    expect(deadlines.size).toBe(1);
    clock = config.retries.per_try_timeout_ms;
    wake!();
    const out = await res;
    expect(out.status).toBe(200);
    expect(hosts).toEqual(["a.test", "b.test"]);
    expect(deadlines.size).toBe(0);
    expect(deadlines.stats.expired).toBe(1);
  });
});

describe("proxyRequest and a burst of failures beyond the retry budget", () => {
  /** Three GETs whose first attempts all fail at once; every retry waits on `gate`. */
  async function burst(budget: RetryBudget) {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const seen = new Set<string>();
    const d = deps(503, budget);
    const fetch: ProxyDeps["fetch"] = async (url) => {
      const path = new URL(url).pathname;
      if (!seen.has(path)) {
        seen.add(path);
        return new Response("busy", { status: 503 });
      }
      await gate;
      return new Response("ok");
    };
    const one = (i: number) => {
      const req = new Request(`http://edge.test/x${i}`);
      return proxyRequest({ ...request(), request: req, href: req.url, url: new URL(req.url) }, { ...d, fetch });
    };
    const answers = [one(1), one(2), one(3)];
    // Let the first attempts fail and the retries queue up before any retry finishes.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    const queued = budget.inFlight;
    open();
    return { statuses: (await Promise.all(answers)).map((r) => r.status), queued };
  }

  it("queues the retries that find no slot, so no idempotent request is lost, and never runs more than the budget", async () => {
    const budget = new RetryBudget(0, 1, 1000, () => () => undefined);
    const { statuses, queued } = await burst(budget);
    expect(queued).toEqual({ requests: 3, retries: 1, waiting: 2 });
    expect(statuses).toEqual([200, 200, 200]);
    expect(budget.inFlight).toEqual({ requests: 0, retries: 0, waiting: 0 });
  });

  it("answers the failure at once when waiting is off (Envoy's behaviour)", async () => {
    const { statuses } = await burst(new RetryBudget(0, 1, 0));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
  });
});

describe("proxyRequest and a fault of its own", () => {
  it("answers 502, reports the fault once, and gives back the request and its retry slot", async () => {
    const budget = new RetryBudget(20, 3);
    const faults: unknown[] = [];
    const boom = new Error("bug in a record hook");
    const d = deps(503, budget);
    const res = await proxyRequest(request(), {
      ...d,
      // The fault strikes in the retry, while it holds one of the budget's retry slots.
      onAttempt: (rec) => {
        if (rec.retry) throw boom;
      },
      onFault: (err) => void faults.push(err),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toBe("proxy_error");
    expect(faults).toEqual([boom]);
    // The request was counted out again: a later request sees an idle budget.
    expect(d.hosts).toEqual(["a.test", "b.test"]);
    expect(budget.inFlight).toEqual({ requests: 0, retries: 0, waiting: 0 });
  });
});

describe("proxyRequest and the clock", () => {
  it("reads it once per attempt, when the attempt ends, and starts from the caller's reading", async () => {
    const d = deps(503, new RetryBudget(20, 3));
    let readings = 0;
    const records: { startedAt: number; endedAt: number; latency: number }[] = [];
    const admitted: number[] = [];
    const res = await proxyRequest(
      { ...request(), now: 1_000 },
      {
        ...d,
        // Every reading moves the clock on by 40 ms, so each one shows in the records.
        now: () => 1_000 + 40 * ++readings,
        admit: (_id, now) => (admitted.push(now), true),
        onAttempt: (rec) => void records.push({ startedAt: rec.startedAt, endedAt: rec.endedAt, latency: rec.outcome.latencyMs }),
      },
    );
    expect(res.status).toBe(200);
    expect(readings).toBe(2);
    expect(records).toEqual([
      { startedAt: 1_000, endedAt: 1_040, latency: 40 },
      { startedAt: 1_040, endedAt: 1_080, latency: 40 },
    ]);
    // The retry's pick is admitted at the time the first attempt ended.
    expect(admitted).toEqual([1_000, 1_040]);
  });
});
