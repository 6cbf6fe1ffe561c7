import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm start` and the benchmarks
import { startOrigin as untypedStartOrigin } from "../../../scripts/lib/origin-server.mjs";

// The demo origin on 127.0.0.1 (real sockets, bounded waits): the knobs the failover
// benchmark relies on do what they say — down refuses connections, hang sends nothing.

interface Timeline {
  times: number[];
  dropped: number;
  faults: { kind: string; from: number; to: number | null }[];
}
interface Origin {
  port: number;
  url: string;
  readonly hits: number;
  setKnobs(k: Record<string, unknown>): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  timeline(since?: number): Timeline;
}
const startOrigin = untypedStartOrigin as (opts: { id: string }) => Promise<Origin>;

const started: Origin[] = [];
afterEach(async () => {
  for (const o of started.splice(0)) await o.close();
});

async function origin(): Promise<Origin> {
  const o = await startOrigin({ id: "o1" });
  started.push(o);
  return o;
}

const postKnobs = (o: Origin, body: unknown) =>
  fetch(`${o.url}/__origin/knobs`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

/** A GET on its own connection, with hooks to see whether headers came and the socket lives. */
function get(o: Origin, path = "/item"): { answered: Promise<number>; headersSeen(): boolean; socket(): net.Socket | undefined; abort(): void } {
  let seen = false;
  let sock: net.Socket | undefined;
  const req = http.get({ host: "127.0.0.1", port: o.port, path, agent: false });
  req.on("socket", (s) => (sock = s));
  const answered = new Promise<number>((resolve, reject) => {
    req.on("response", (res) => {
      seen = true;
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
  return { answered, headersSeen: () => seen, socket: () => sock, abort: () => req.destroy() };
}

/** Resolves with the error code of a raw TCP connect, or "connected". */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.setTimeout(2000, () => (s.destroy(), resolve("timeout")));
    s.once("connect", () => (s.destroy(), resolve("connected")));
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
  });
}

describe("demo origin knobs", () => {
  it("refuses hang_ms outside 0..600000 and changes nothing when any knob is bad", async () => {
    const o = await origin();
    for (const bad of [-1, 600_001, "soon", { ms: 5 }]) {
      const r = await postKnobs(o, { hang_ms: bad });
      expect(r.status, String(bad)).toBe(400);
      expect(String(r.body.message)).toContain("hang_ms");
    }
    // A valid hang next to an invalid knob: the request is refused as a whole.
    const mixed = await postKnobs(o, { hang_ms: 1000, latency_ms: -5 });
    expect(mixed.status).toBe(400);
    expect((await postKnobs(o, {})).body.hanging).toBe(false);
    const ok = await postKnobs(o, { hang_ms: 60_000 });
    expect(ok).toMatchObject({ status: 200, body: { hanging: true } });
    expect((await postKnobs(o, { hang_ms: 0 })).body.hanging).toBe(false);
  });

  it("hang_ms: sends no headers and keeps the connection open until the hang ends", async () => {
    const o = await origin();
    o.setKnobs({ hang_ms: 60_000 });
    const r = get(o);
    await vi.waitFor(() => expect(o.hits).toBe(1), { timeout: 2000 });
    // The knobs stay reachable while requests hang (the bench heals through them).
    expect((await postKnobs(o, {})).body.hanging).toBe(true);
    expect(r.headersSeen()).toBe(false);
    expect(r.socket()?.destroyed).toBe(false);
    o.setKnobs({ hang_ms: 0 });
    await expect(r.answered).resolves.toBe(200);
    const faults = o.timeline(0).faults;
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ kind: "hang" });
    expect(faults[0]!.to).not.toBeNull();
  });

  it("hang_ms: a hang ends by itself after its time, and the held request gets its answer then", async () => {
    const o = await origin();
    const t0 = performance.now();
    o.setKnobs({ hang_ms: 150 });
    const r = get(o);
    await expect(r.answered).resolves.toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    const [fault] = o.timeline(0).faults;
    expect(fault!.to! - fault!.from).toBeGreaterThanOrEqual(140);
    // Not hanging any more: the next request is answered at once.
    await expect(get(o).answered).resolves.toBe(200);
  });

  it("hang_ms: a client that gives up gets nothing, and the origin carries on", async () => {
    const o = await origin();
    o.setKnobs({ hang_ms: 60_000 });
    const r = get(o);
    r.answered.catch(() => undefined);
    await vi.waitFor(() => expect(o.hits).toBe(1), { timeout: 2000 });
    r.abort();
    o.setKnobs({ hang_ms: 0 });
    await expect(get(o).answered).resolves.toBe(200);
    expect(r.headersSeen()).toBe(false);
  });

  it("down: connections are really refused, then accepted again on the same port", async () => {
    const o = await origin();
    expect(await connect(o.port)).toBe("connected");
    await o.down();
    expect(await connect(o.port)).toBe("ECONNREFUSED");
    await o.up();
    expect(await connect(o.port)).toBe("connected");
    const [fault] = o.timeline(0).faults;
    expect(fault).toMatchObject({ kind: "down" });
    expect(fault!.to).toBeGreaterThanOrEqual(fault!.from);
  });

  it("records when each request arrived; the hits endpoint filters by time", async () => {
    const o = await origin();
    const before = performance.timeOrigin + performance.now();
    for (let i = 0; i < 3; i++) await get(o).answered;
    const after = performance.timeOrigin + performance.now();
    const all = (await (await fetch(`${o.url}/__origin/hits?since=${before}`)).json()) as Timeline & { hits: number };
    expect(all.hits).toBe(3);
    expect(all.times).toHaveLength(3);
    for (const t of all.times) expect(t).toBeGreaterThanOrEqual(before - 1);
    for (const t of all.times) expect(t).toBeLessThanOrEqual(after + 1);
    expect([...all.times].sort((a, b) => a - b)).toEqual(all.times);
    const later = (await (await fetch(`${o.url}/__origin/hits?since=${after + 1}`)).json()) as Timeline;
    expect(later.times).toEqual([]);
    expect((await fetch(`${o.url}/__origin/hits?since=soon`)).status).toBe(400);
  });
});
