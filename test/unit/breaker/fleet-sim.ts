import { BreakerClient } from "../../../src/breaker/client";
import type { BreakerObject } from "../../../src/breaker/breaker-object";
import type { ReportReply, ReportRequest } from "../../../src/breaker/types";
import { edgeConfigSchema, type BreakerConfig } from "../../../src/config/schema";
import { MemoryBreakers } from "./memory-namespace";
import { mulberry32 } from "../../support/prng";

/**
 * A discrete-event simulation of the edge fleet in virtual time: isolates in several colos
 * route requests over a pool with the real BreakerClient; the objects run the real pure
 * report logic (MemoryBreakers) behind a simulated network round trip. One origin dies,
 * later recovers. Used by bench/breaker.mjs and a unit test. Deterministic for a seed.
 */
export interface SimParams {
  colos: number;
  isolatesPerColo: number;
  rpsPerIsolate: number;
  origins: number;
  rttMs: number;
  deadAtMs: number;
  recoverAtMs: number;
  durationMs: number;
  /** Extra attempts on other origins (the proxy's retries for idempotent requests). */
  retries: number;
  breaker: Record<string, unknown>;
  /** "shared": objects reachable; "local": every object call fails, so only local trips act. */
  mode: "shared" | "local";
  seed: number;
}

export interface SimResult {
  requests: number;
  clientErrors: number;
  deadAttemptsFleet: number;
  /** Attempts on the dead origin before each isolate first stopped routing to it. */
  deadAttemptsPerIsolateMax: number;
  deadAttemptsPerIsolateMean: number;
  /** Half-open probes (and any later attempts) sent to the origin while still dead. */
  deadAttemptsAfterIsolation: number;
  timeToGlobalOpenMs: number | null;
  timeToCloseAfterRecoveryMs: number | null;
  /** From the object's move to half-open until the leased probes closed it. */
  halfOpenToCloseMs: number | null;
  /** Before the failure: object calls per 1,000 requests, and calls awaited on a request. */
  warmCallsPer1000: number;
  warmAwaited: number;
  /** Most calls any isolate made to one origin's object within one staleness interval (warm phase). */
  warmMaxCallsPerIsolateOriginInterval: number;
}


class Queue {
  private items: Array<{ at: number; seq: number; run: () => void }> = [];
  private seq = 0;
  push(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.items[mid];
      if (m && (m.at < at || (m.at === at && m.seq < item.seq))) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }
  pop(): { at: number; run: () => void } | undefined {
    return this.items.shift();
  }
}

export async function simulate(p: SimParams): Promise<SimResult> {
  const clock = { t: 0 };
  const rnd = mulberry32(p.seed);
  const q = new Queue();
  const objects = new MemoryBreakers(() => clock.t, rnd);
  const originIds = Array.from({ length: p.origins }, (_, i) => `o${i}`);
  const config = edgeConfigSchema.parse({
    steering: { policy: "failover" },
    pools: [{ id: "pool", origins: originIds.map((id) => ({ id, url: `https://${id}.example.com` })) }],
    breaker: p.breaker,
  });
  const callLog: Array<{ at: number; isolate: string; origin: string }> = [];
  const namespace = {
    idFromName: (name: string) => ({ name }),
    get: (id: { name: string }) => ({
      report: (req: ReportRequest, cfg: BreakerConfig) =>
        new Promise<ReportReply>((resolve, reject) => {
          callLog.push({ at: clock.t, isolate: req.isolate, origin: id.name });
          objects.calls += 1;
          let reply: ReportReply | undefined;
          q.push(clock.t + p.rttMs / 2, () => {
            if (p.mode === "shared") reply = objects.report({ ...req, origin: id.name }, cfg);
          });
          q.push(clock.t + p.rttMs, () => (reply ? resolve(reply) : reject(new Error("object unreachable"))));
        }),
    }),
  } as unknown as Pick<DurableObjectNamespace<BreakerObject>, "idFromName" | "get">;

  // dead: every attempt on the dead origin (probes included); before: until the isolate first stops routing to it.
  const isolates: Array<{ id: string; client: BreakerClient; dead: number; before: number; isolated: boolean }> = [];
  for (let c = 0; c < p.colos; c++)
    for (let i = 0; i < p.isolatesPerColo; i++) {
      const id = `c${c}-i${i}`;
      const client = new BreakerClient({ namespace, now: () => clock.t, random: rnd, colo: `colo${c}`, isolateId: id, sleep: () => Promise.resolve() });
      client.configure(config);
      isolates.push({ id, client, dead: 0, before: 0, isolated: false });
    }
  const origConsoleWarn = console.warn;
  console.warn = () => undefined; // "local" mode fails every call by design
  let requests = 0;
  let clientErrors = 0;
  let warmRequests = 0;
  const warmFrom = 1000;
  const isDead = (origin: string, t: number) => origin === "o0" && t >= p.deadAtMs && t < p.recoverAtMs;

  const serve = (iso: (typeof isolates)[number]) => {
    requests += 1;
    if (clock.t >= warmFrom && clock.t < p.deadAtMs) warmRequests += 1;
    const tried = new Set<string>();
    let ok = false;
    for (let attempt = 0; attempt <= p.retries && !ok; attempt++) {
      const candidates = originIds.filter((o) => !tried.has(o) && iso.client.available(o));
      if (candidates.length === 0) break;
      const origin = candidates[Math.floor(rnd() * candidates.length)] ?? "o0";
      tried.add(origin);
      if (!iso.client.admit(origin)) continue;
      if (isDead(origin, clock.t)) {
        iso.dead += 1;
        if (!iso.isolated) iso.before += 1;
        iso.client.record(origin, { kind: "connect", latencyMs: 2 });
      } else {
        iso.client.record(origin, { kind: "response", status: 200, latencyMs: 20 });
        ok = true;
      }
    }
    if (!ok) clientErrors += 1;
    void iso.client.sync(); // ctx.waitUntil: never awaited by the request
    if (clock.t >= p.deadAtMs && !iso.client.available("o0")) iso.isolated = true;
  };

  for (const iso of isolates) {
    const gap = 1000 / p.rpsPerIsolate;
    const schedule = (at: number) => {
      if (at >= p.durationMs) return;
      q.push(at, () => {
        serve(iso);
        schedule(at + gap);
      });
    };
    schedule(rnd() * gap);
  }
  await Promise.all(isolates.map((iso) => iso.client.warmUp(originIds, 50)));

  let openAt: number | null = null;
  let closeAt: number | null = null;
  let halfOpenAt: number | null = null;
  for (let ev = q.pop(); ev; ev = q.pop()) {
    clock.t = ev.at;
    ev.run();
    await Promise.resolve();
    await Promise.resolve();
    const st = objects.records.get("o0")?.state;
    if (openAt === null && st === "open" && clock.t >= p.deadAtMs) openAt = clock.t;
    if (st === "half_open" && halfOpenAt === null) halfOpenAt = clock.t;
    if (st === "open") halfOpenAt = null;
    if (openAt !== null && closeAt === null && st === "closed" && clock.t >= p.recoverAtMs) closeAt = clock.t;
  }
  console.warn = origConsoleWarn;

  const warmCalls = callLog.filter((c) => c.at >= warmFrom && c.at < p.deadAtMs);
  const stale = config.breaker.staleness_ms;
  const perKey = new Map<string, number>();
  for (const c of warmCalls) {
    const k = `${c.isolate}/${c.origin}/${Math.floor(c.at / stale)}`;
    perKey.set(k, (perKey.get(k) ?? 0) + 1);
  }
  const before = isolates.map((i) => i.before);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    requests,
    clientErrors,
    deadAttemptsFleet: sum(before),
    deadAttemptsPerIsolateMax: Math.max(...before),
    deadAttemptsPerIsolateMean: sum(before) / before.length,
    deadAttemptsAfterIsolation: sum(isolates.map((i) => i.dead)) - sum(before),
    timeToGlobalOpenMs: openAt === null ? null : openAt - p.deadAtMs,
    timeToCloseAfterRecoveryMs: closeAt === null ? null : closeAt - p.recoverAtMs,
    halfOpenToCloseMs: closeAt === null || halfOpenAt === null ? null : closeAt - halfOpenAt,
    warmCallsPer1000: warmRequests === 0 ? 0 : (warmCalls.length / warmRequests) * 1000,
    warmAwaited: isolates.reduce((a, i) => a + i.client.stats.awaited, 0) - isolates.length,
    warmMaxCallsPerIsolateOriginInterval: Math.max(0, ...perKey.values()),
  };
}
