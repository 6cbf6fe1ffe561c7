import { bodyText, control, FaultQueue, json, keptHeaders, seedGroups, type Fault, type FakeGroup, type RecordedCall } from "./common.js";

/**
 * A Standard Webhooks receiver (standardwebhooks.com): checks webhook-id,
 * webhook-timestamp (within 5 minutes of its clock) and webhook-signature
 * (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the base64 key after `whsec_`),
 * then applies `desired` to the pool. It also answers the provider's read:
 * GET /webhook?pool=P (signed over the empty body) → {"pool","current"}.
 */

const TOLERANCE_S = 300;

export interface FakeWebhook {
  readonly handler: (req: Request) => Promise<Response>;
  readonly groups: Map<string, FakeGroup>;
  readonly calls: RecordedCall[];
  /** Every delivery body that verified. */
  readonly deliveries: unknown[];
  fault(f: Fault): void;
}

function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  const b64 = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** True when one of the space-separated `v1,` signatures matches (constant-time compare). */
export async function verifyStandardWebhook(secret: string, id: string, ts: string, body: string, header: string): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", keyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${ts}.${body}`)));
  const expected = btoa(String.fromCharCode(...mac));
  return header.split(" ").some((s) => {
    const [v, sig = ""] = s.split(",", 2);
    if (v !== "v1" || sig.length !== expected.length) return false;
    let diff = 0;
    for (let i = 0; i < sig.length; i++) diff |= sig.charCodeAt(i) ^ expected.charCodeAt(i);
    return diff === 0;
  });
}

export function createFakeWebhook(opts: { secret: string; now?: () => number; groups?: readonly Omit<FakeGroup, "etag">[] }): FakeWebhook {
  const now = opts.now ?? (() => Date.now());
  const groups = new Map<string, FakeGroup>();
  for (const g of opts.groups ?? []) groups.set(g.name, { ...g, etag: 1 });
  const calls: RecordedCall[] = [];
  const deliveries: unknown[] = [];
  const faults = new FaultQueue();
  const self: FakeWebhook = { handler, groups, calls, deliveries, fault: (f) => faults.add(f) };
  const ctl = { state: () => ({ groups: [...groups.values()], calls, deliveries }), seed: (b: unknown) => seedGroups(b).forEach((g) => groups.set(g.name, g)), fault: self.fault };

  async function answer(req: Request, url: URL, body: string, action: string): Promise<Response> {
    const id = req.headers.get("webhook-id");
    const ts = req.headers.get("webhook-timestamp");
    const sig = req.headers.get("webhook-signature");
    if (id === null || ts === null || sig === null) return json({ error: "missing_signature_headers" }, 401);
    if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - now() / 1000) > TOLERANCE_S) return json({ error: "timestamp_out_of_tolerance" }, 401);
    if (!(await verifyStandardWebhook(opts.secret, id, ts, body, sig))) return json({ error: "bad_signature" }, 401);
    const f = faults.take(action);
    if (f !== undefined) {
      const status = { throttling: 429, "429": 429, contention: 409, "409": 409, validation: 400, "412": 412, "401": 401, "500": 500 }[f.kind];
      return json({ error: f.kind }, status, status === 429 ? { "retry-after": f.retryAfter ?? "1" } : {});
    }
    if (action === "get") {
      const g = groups.get(url.searchParams.get("pool") ?? "");
      return g === undefined ? json({ error: "unknown_pool" }, 404) : json({ pool: g.name, current: g.capacity });
    }
    const msg = JSON.parse(body) as { pool?: unknown; desired?: unknown };
    if (typeof msg.pool !== "string" || typeof msg.desired !== "number") return json({ error: "pool and desired required" }, 400);
    const g = groups.get(msg.pool) ?? { name: msg.pool, capacity: 0, min: 0, max: 1_000, etag: 1 };
    g.capacity = msg.desired;
    groups.set(g.name, g);
    deliveries.push(msg);
    return new Response(null, { status: 204 });
  }

  async function handler(req: Request): Promise<Response> {
    const c = await control(req, ctl);
    if (c !== null) return c;
    const url = new URL(req.url);
    const body = await bodyText(req);
    const action = req.method === "GET" ? "get" : "deliver";
    const res = await answer(req, url, body, action);
    calls.push({ action, method: req.method, path: url.pathname + url.search, status: res.status, headers: keptHeaders(req), body });
    return res;
  }
  return self;
}
