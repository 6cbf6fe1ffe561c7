import { TARGET_SCHEMAS } from "./targets.js";
import { callWithRetry, invalidTarget, missingSecret, withEndpoint, type CallResult, type Parsed } from "./retry.js";
import { cachedToken, dropToken, storeToken } from "./token-cache.js";
import type { CallRecord, ProviderDeps, ProviderTarget, ReadResult, ScaleIntent, ScalingProviderImpl, WriteResult } from "./types.js";

/**
 * Azure VM scale sets (REFERENCE.md): a client-credentials token from the Microsoft
 * identity platform (scope https://management.azure.com/.default), GET the scale set
 * for `sku.capacity` and its etag, PATCH `{"sku":{"capacity":N}}` with `If-Match` on that
 * etag so a change made meanwhile is a 412 (final: the next run reads again), never a
 * lost update. ARM throttles with 429 + Retry-After; 409 Conflict (another operation in
 * progress) is contention and retried.
 */

export const AZURE_API_VERSION = "2024-07-01";
const SECRETS = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_SUBSCRIPTION_ID"] as const;

/** ARM `{"error":{"code","message"}}`; the token endpoint's `{"error","error_description"}`. */
async function azureError(res: Response): Promise<Parsed<never>> {
  const text = await res.text();
  try {
    const j = JSON.parse(text) as { error?: { code?: string; message?: string } | string; error_description?: string };
    if (typeof j.error === "string") return { ok: false, code: j.error, message: j.error_description ?? j.error };
    return { ok: false, code: j.error?.code ?? `http_${res.status}`, message: j.error?.message ?? `HTTP ${res.status}` };
  } catch {
    return { ok: false, code: `http_${res.status}`, message: text.slice(0, 200) };
  }
}

type Creds = { tenant: string; clientId: string; clientSecret: string; subscription: string };

function creds(deps: ProviderDeps): Creds | null {
  const s = deps.secrets;
  if (!s.AZURE_TENANT_ID || !s.AZURE_CLIENT_ID || !s.AZURE_CLIENT_SECRET || !s.AZURE_SUBSCRIPTION_ID) return null;
  return { tenant: s.AZURE_TENANT_ID, clientId: s.AZURE_CLIENT_ID, clientSecret: s.AZURE_CLIENT_SECRET, subscription: s.AZURE_SUBSCRIPTION_ID };
}

async function accessToken(c: Creds, t: ProviderTarget, deps: ProviderDeps): Promise<CallResult<string>> {
  const url = withEndpoint(`https://login.microsoftonline.com/${encodeURIComponent(c.tenant)}/oauth2/v2.0/token`, t.endpoint);
  const cacheKey = `azure ${c.tenant} ${c.clientId} ${url}`;
  const hit = cachedToken(cacheKey, deps.now());
  if (hit !== null) return { ok: true, value: hit, calls: [] };
  const body = new URLSearchParams({ grant_type: "client_credentials", client_id: c.clientId, client_secret: c.clientSecret, scope: "https://management.azure.com/.default" }).toString();
  const r = await callWithRetry(
    {
      provider: "azure",
      action: "token",
      send: (signal) => deps.fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body, signal }),
      parse: async (res): Promise<Parsed<{ token: string; expiresIn: number }>> => {
        if (!res.ok) return azureError(res);
        const j = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
        if (typeof j.access_token !== "string") return { ok: false, code: "bad_response", message: "no access_token", retryable: false };
        return { ok: true, value: { token: j.access_token, expiresIn: Number(j.expires_in ?? 3600) || 3600 } };
      },
    },
    deps,
  );
  if (!r.ok) return r;
  storeToken(cacheKey, r.value.token, r.value.expiresIn, deps.now());
  return { ok: true, value: r.value.token, calls: r.calls };
}

interface ScaleSet {
  readonly capacity: number;
  readonly etag: string | null;
}

function scaleSetUrl(c: Creds, target: Readonly<Record<string, string>>, endpoint?: string): string {
  const e = encodeURIComponent;
  return withEndpoint(
    `https://management.azure.com/subscriptions/${e(c.subscription)}/resourceGroups/${e(target.resource_group ?? "")}/providers/Microsoft.Compute/virtualMachineScaleSets/${e(target.scale_set ?? "")}?api-version=${AZURE_API_VERSION}`,
    endpoint,
  );
}

async function parseScaleSet(res: Response): Promise<Parsed<ScaleSet>> {
  if (!res.ok) return azureError(res);
  const j = (await res.json()) as { sku?: { capacity?: unknown }; etag?: unknown };
  const capacity = j.sku?.capacity;
  if (typeof capacity !== "number") return { ok: false, code: "bad_response", message: "sku.capacity missing", retryable: false };
  const etag = res.headers.get("etag") ?? (typeof j.etag === "string" ? j.etag : null);
  return { ok: true, value: { capacity, etag } };
}

/** Token then GET; shared by read and by write (which needs the etag it sends as If-Match). */
async function getScaleSet(t: ProviderTarget, deps: ProviderDeps, action: string): Promise<CallResult<{ set: ScaleSet; token: string; url: string }>> {
  const target = TARGET_SCHEMAS.azure.safeParse(t.target);
  if (!target.success) return invalidTarget(target.error.message);
  const c = creds(deps);
  if (c === null) return missingSecret("azure", action, SECRETS.filter((n) => !deps.secrets[n]), deps);
  const tok = await accessToken(c, t, deps);
  if (!tok.ok) return tok;
  const url = scaleSetUrl(c, t.target, t.endpoint);
  const r = await callWithRetry({ provider: "azure", action: "get", send: (signal) => deps.fetch(url, { headers: { authorization: `Bearer ${tok.value}` }, signal }), parse: parseScaleSet }, deps);
  if (!r.ok && r.calls.some((c) => c.status === 401)) dropToken(tok.value);
  const calls: CallRecord[] = [...tok.calls, ...r.calls];
  return r.ok ? { ok: true, value: { set: r.value, token: tok.value, url }, calls } : { ...r, calls };
}

export const azure: ScalingProviderImpl = {
  name: "azure",
  async read(t, deps): Promise<ReadResult> {
    const r = await getScaleSet(t, deps, "get");
    return r.ok ? { ok: true, capacity: { current: r.value.set.capacity }, calls: r.calls } : r;
  },
  async write(t: ProviderTarget, intent: ScaleIntent, deps: ProviderDeps): Promise<WriteResult> {
    // The etag must be the one the PATCH is conditional on, so write reads it afresh.
    const g = await getScaleSet(t, deps, "patch");
    if (!g.ok) return g;
    const { token, url, set } = g.value;
    const body = JSON.stringify({ sku: { capacity: intent.desired } });
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, "content-type": "application/json", ...(set.etag !== null ? { "if-match": set.etag } : {}) };
    const r = await callWithRetry(
      {
        provider: "azure",
        action: "patch",
        send: (signal) => deps.fetch(url, { method: "PATCH", headers, body, signal }),
        parse: async (res): Promise<Parsed<number>> => (res.ok ? { ok: true, value: intent.desired } : azureError(res)),
      },
      deps,
    );
    if (!r.ok && r.calls.some((c) => c.status === 401)) dropToken(token);
    const calls = [...g.calls, ...r.calls];
    return r.ok ? { ok: true, desired: r.value, calls } : { ...r, calls };
  },
};
