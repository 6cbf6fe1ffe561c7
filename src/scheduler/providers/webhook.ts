import { TARGET_SCHEMAS } from "./targets.js";
import { callWithRetry, invalidTarget, missingSecret, stableUuid, withEndpoint, type CallResult, type Parsed } from "./retry.js";
import type { ProviderDeps, ProviderTarget, ReadResult, ScaleIntent, ScalingProviderImpl, WriteResult } from "./types.js";

/**
 * A Standard Webhooks receiver (standardwebhooks.com): every request carries webhook-id,
 * webhook-timestamp and webhook-signature = `v1,` + base64 HMAC-SHA256 over
 * `{id}.{timestamp}.{body}` with the key WEBHOOK_SECRET (`whsec_` + base64, as the spec's
 * libraries take it; a secret without the prefix is used as its UTF-8 bytes).
 *
 * Read: a webhook has no standard read, and the run must read before it writes, so the
 * receiver answers a signed `GET {url}?pool=P` (empty body) with `{"current": N}`. A
 * receiver that cannot (404/405) makes read fail with `read_unsupported`: the run then
 * records why and calls nothing, rather than guess the current capacity.
 * Write: POST JSON {type, run_id, pool, current, desired, reason, forecast}; the id is
 * derived from run, pool and desired, so a retry is recognisably the same message.
 */

function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith("whsec_")) return new Uint8Array(new TextEncoder().encode(secret));
  return Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0));
}

/** The Standard Webhooks headers for one delivery. */
export async function signWebhook(secret: string, id: string, timestampS: number, body: string): Promise<Record<string, string>> {
  const key = await crypto.subtle.importKey("raw", keyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestampS}.${body}`)));
  return { "webhook-id": id, "webhook-timestamp": String(timestampS), "webhook-signature": `v1,${btoa(String.fromCharCode(...mac))}` };
}

async function signed<T>(t: ProviderTarget, deps: ProviderDeps, action: "get" | "deliver", id: string, url: string, method: string, body: string, parse: (res: Response) => Promise<Parsed<T>>): Promise<CallResult<T>> {
  const target = TARGET_SCHEMAS.webhook.safeParse(t.target);
  if (!target.success) return invalidTarget(target.error.message);
  const secret = deps.secrets.WEBHOOK_SECRET;
  if (secret === undefined || secret === "") return missingSecret("webhook", action, ["WEBHOOK_SECRET"], deps);
  try {
    keyBytes(secret);
  } catch {
    return { ok: false, error: { code: "invalid_secret", message: "WEBHOOK_SECRET after whsec_ is not base64", retryable: false }, calls: [] };
  }
  return callWithRetry(
    {
      provider: "webhook",
      action,
      send: async (signal) => {
        const headers = { ...(await signWebhook(secret, id, Math.floor(deps.now() / 1000), body)), ...(method === "POST" ? { "content-type": "application/json" } : {}) };
        return deps.fetch(url, { method, headers, ...(method === "POST" ? { body } : {}), signal });
      },
      parse: async (res) => (res.ok ? parse(res) : { ok: false, code: action === "get" && (res.status === 404 || res.status === 405) ? "read_unsupported" : `http_${res.status}`, message: (await res.text()).slice(0, 200) }),
    },
    deps,
  );
}

export const webhook: ScalingProviderImpl = {
  name: "webhook",
  async read(t, deps): Promise<ReadResult> {
    const u = new URL(withEndpoint(t.target.url ?? "http://invalid/", t.endpoint));
    u.searchParams.set("pool", t.pool);
    const id = `msg_${(await stableUuid("read", t.pool, String(deps.now()))).replace(/-/g, "")}`;
    const r = await signed(t, deps, "get", id, u.toString(), "GET", "", async (res): Promise<Parsed<number>> => {
      const n = ((await res.json()) as { current?: unknown }).current;
      return typeof n === "number" && Number.isInteger(n) ? { ok: true, value: n } : { ok: false, code: "bad_response", message: "current missing", retryable: false };
    });
    return r.ok ? { ok: true, capacity: { current: r.value }, calls: r.calls } : r;
  },
  async write(t: ProviderTarget, intent: ScaleIntent, deps: ProviderDeps): Promise<WriteResult> {
    const body = JSON.stringify({ type: "scaling.desired", run_id: intent.runId, pool: t.pool, current: intent.current, desired: intent.desired, reason: intent.reason, forecast: intent.forecast });
    const id = `msg_${(await stableUuid(intent.runId, t.pool, String(intent.desired))).replace(/-/g, "")}`;
    const r = await signed(t, deps, "deliver", id, withEndpoint(t.target.url ?? "http://invalid/", t.endpoint), "POST", body, async (): Promise<Parsed<number>> => ({ ok: true, value: intent.desired }));
    return r.ok ? { ok: true, desired: r.value, calls: r.calls } : r;
  },
};
