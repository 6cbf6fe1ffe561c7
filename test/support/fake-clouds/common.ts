/**
 * Shared pieces of the local cloud fakes: fault queues, JSON answers, the recorded-call
 * log and the `/_fake/` control routes every fake serves. The fakes are Web-standard
 * fetch handlers, so tests pass them as the provider's injected `fetch` and
 * scripts/fake-clouds.ts serves the same handlers over HTTP.
 */

export type FakeHandler = (req: Request) => Promise<Response>;

/** What a fault makes the fake answer, each in its cloud's own wire format. */
export type FaultKind = "throttling" | "429" | "500" | "contention" | "validation" | "412" | "409" | "401";

export interface Fault {
  readonly kind: FaultKind;
  /** How many of the next matching requests get it. */
  readonly count: number;
  /** Only requests for this action (e.g. SetDesiredCapacity, resize, patch, token); all when absent. */
  readonly action?: string;
  /** For 429: the Retry-After value to send (seconds or an HTTP date). */
  readonly retryAfter?: string;
}

export class FaultQueue {
  private readonly faults: { fault: Fault; left: number }[] = [];
  add(f: Fault): void {
    this.faults.push({ fault: f, left: f.count });
  }
  /** The fault for this request, consuming one of its count. */
  take(action: string): Fault | undefined {
    const entry = this.faults.find((e) => e.left > 0 && (e.fault.action === undefined || e.fault.action === action));
    if (entry === undefined) return undefined;
    entry.left--;
    return entry.fault;
  }
}

/** One request as the fake saw it, for tests and GET /_fake/state (no auth headers kept). */
export interface RecordedCall {
  readonly action: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const KEPT_HEADERS = ["content-type", "if-match", "webhook-id", "webhook-timestamp", "x-amz-date"];

export function keptHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of KEPT_HEADERS) {
    const v = req.headers.get(h);
    if (v !== null) out[h] = v;
  }
  return out;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export interface Controllable {
  state(): unknown;
  seed(body: unknown): void;
  fault(f: Fault): void;
}

/** Serves GET /_fake/state, POST /_fake/seed, POST /_fake/fault; null for any other path. */
export async function control(req: Request, fake: Controllable): Promise<Response | null> {
  const path = new URL(req.url).pathname;
  if (!path.startsWith("/_fake/")) return null;
  if (req.method === "GET" && path === "/_fake/state") return json(fake.state());
  if (req.method === "POST" && path === "/_fake/seed") {
    fake.seed(await req.json());
    return json({ ok: true });
  }
  if (req.method === "POST" && path === "/_fake/fault") {
    const f = (await req.json()) as Fault;
    if (typeof f.kind !== "string" || typeof f.count !== "number") return json({ error: "kind and count required" }, 400);
    fake.fault(f);
    return json({ ok: true });
  }
  return json({ error: "unknown control route" }, 404);
}

export function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A group as the fakes keep it (capacity with the cloud's bounds). */
export interface FakeGroup {
  name: string;
  capacity: number;
  min: number;
  max: number;
  etag: number;
}

export function seedGroups(body: unknown): FakeGroup[] {
  const groups = (body as { groups?: unknown }).groups;
  if (!Array.isArray(groups)) return [];
  return groups.map((g: { name?: unknown; capacity?: unknown; desired?: unknown; min?: unknown; max?: unknown }) => ({
    name: String(g.name),
    capacity: Number(g.capacity ?? g.desired ?? 1),
    min: Number(g.min ?? 0),
    max: Number(g.max ?? 100),
    etag: 1,
  }));
}

/** The body as UTF-8 (via bytes: workerd warns on .text() of a form-encoded body). */
export async function bodyText(req: Request): Promise<string> {
  return new TextDecoder().decode(await req.arrayBuffer());
}
