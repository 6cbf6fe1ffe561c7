import { importPKCS8, SignJWT } from "jose";
import { z } from "zod";
import { TARGET_SCHEMAS } from "./targets.js";
import { callWithRetry, invalidTarget, missingSecret, stableUuid, withEndpoint, type CallResult, type Parsed } from "./retry.js";
import { cachedToken, dropToken, storeToken } from "./token-cache.js";
import type { ProviderDeps, ProviderTarget, ReadResult, ScaleIntent, ScalingProviderImpl, WriteResult } from "./types.js";

/**
 * GCP managed instance groups, zonal (`zones/{z}`) or regional (`regions/{r}`)
 * (REFERENCE.md): GET the manager for `targetSize`, POST `resize?size=N&requestId=…`.
 * Auth: a service-account JWT (RFC 7523 bearer grant, RS256, Google's claims: iss =
 * client_email, scope compute, aud = token_uri, one hour) exchanged at the key's token_uri.
 * The requestId is derived from run, pool and size, so a retried resize is the same
 * request to Compute, which ignores a repeat.
 */

const SCOPE = "https://www.googleapis.com/auth/compute";
const COMPUTE = "https://compute.googleapis.com/compute/v1";

const keySchema = z.object({
  client_email: z.string().min(1),
  private_key: z.string().includes("PRIVATE KEY"),
  private_key_id: z.string().optional(),
  token_uri: z.string().url().default("https://oauth2.googleapis.com/token"),
});

/** Google's JSON error: `error.errors[0].reason` is the code retry.ts classifies (403 rateLimitExceeded is throttling). */
async function googleError(res: Response): Promise<Parsed<never>> {
  const text = await res.text();
  try {
    const e = (JSON.parse(text) as { error?: { message?: string; status?: string; errors?: { reason?: string }[] } | string; error_description?: string }).error;
    if (typeof e === "string") return { ok: false, code: e, message: text };
    return { ok: false, code: e?.errors?.[0]?.reason ?? e?.status ?? `http_${res.status}`, message: e?.message ?? `HTTP ${res.status}` };
  } catch {
    return { ok: false, code: `http_${res.status}`, message: text.slice(0, 200) };
  }
}

async function accessToken(t: ProviderTarget, deps: ProviderDeps, action: string): Promise<CallResult<string>> {
  const raw = deps.secrets.GCP_SERVICE_ACCOUNT_JSON;
  if (raw === undefined || raw === "") return missingSecret("gcp", action, ["GCP_SERVICE_ACCOUNT_JSON"], deps);
  let key: z.output<typeof keySchema>;
  try {
    key = keySchema.parse(JSON.parse(raw));
  } catch {
    // Never echo the parse error: it may quote the key.
    return { ok: false, error: { code: "invalid_secret", message: "GCP_SERVICE_ACCOUNT_JSON is not a service-account key JSON", retryable: false }, calls: [] };
  }
  const tokenUrl = withEndpoint(key.token_uri, t.endpoint);
  const cacheKey = `gcp ${key.client_email} ${tokenUrl}`;
  const hit = cachedToken(cacheKey, deps.now());
  if (hit !== null) return { ok: true, value: hit, calls: [] };
  let signingKey: CryptoKey;
  try {
    signingKey = await importPKCS8(key.private_key, "RS256");
  } catch {
    return { ok: false, error: { code: "invalid_secret", message: "GCP_SERVICE_ACCOUNT_JSON private_key is not an RSA PKCS#8 key", retryable: false }, calls: [] };
  }
  const r = await callWithRetry(
    {
      provider: "gcp",
      action: "token",
      send: async (signal) => {
        const iat = Math.floor(deps.now() / 1000);
        const jwt = await new SignJWT({ scope: SCOPE })
          .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(key.private_key_id ? { kid: key.private_key_id } : {}) })
          .setIssuer(key.client_email)
          .setAudience(key.token_uri)
          .setIssuedAt(iat)
          .setExpirationTime(iat + 3600)
          .sign(signingKey);
        const body = new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt });
        return deps.fetch(tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString(), signal });
      },
      parse: async (res): Promise<Parsed<{ token: string; expiresIn: number }>> => {
        if (!res.ok) return googleError(res);
        const j = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
        if (typeof j.access_token !== "string") return { ok: false, code: "bad_response", message: "no access_token", retryable: false };
        return { ok: true, value: { token: j.access_token, expiresIn: typeof j.expires_in === "number" ? j.expires_in : 3600 } };
      },
    },
    deps,
  );
  if (!r.ok) return r;
  storeToken(cacheKey, r.value.token, r.value.expiresIn, deps.now());
  return { ok: true, value: r.value.token, calls: r.calls };
}

/** The manager's URL: zonal or regional by which key the target has (targets.ts requires exactly one). */
export function managerUrl(target: Readonly<Record<string, string>>, endpoint?: string): string {
  const where = target.zone !== undefined ? `zones/${encodeURIComponent(target.zone)}` : `regions/${encodeURIComponent(target.region ?? "")}`;
  return withEndpoint(`${COMPUTE}/projects/${encodeURIComponent(target.project ?? "")}/${where}/instanceGroupManagers/${encodeURIComponent(target.group ?? "")}`, endpoint);
}

async function authed<T>(t: ProviderTarget, deps: ProviderDeps, action: string, method: string, url: string, parse: (j: unknown) => Parsed<T>): Promise<CallResult<T>> {
  const target = TARGET_SCHEMAS.gcp.safeParse(t.target);
  if (!target.success) return invalidTarget(target.error.message);
  const tok = await accessToken(t, deps, action);
  if (!tok.ok) return tok;
  const r = await callWithRetry(
    {
      provider: "gcp",
      action,
      send: (signal) => deps.fetch(url, { method, headers: { authorization: `Bearer ${tok.value}` }, signal }),
      parse: async (res) => (res.ok ? parse(await res.json()) : googleError(res)),
    },
    deps,
  );
  if (!r.ok && r.calls.some((c) => c.status === 401)) dropToken(tok.value);
  return { ...r, calls: [...tok.calls, ...r.calls] };
}

export const gcp: ScalingProviderImpl = {
  name: "gcp",
  async read(t, deps): Promise<ReadResult> {
    const r = await authed(t, deps, "get", "GET", managerUrl(t.target, t.endpoint), (j): Parsed<number> => {
      const size = (j as { targetSize?: unknown }).targetSize;
      return typeof size === "number" ? { ok: true, value: size } : { ok: false, code: "bad_response", message: "targetSize missing", retryable: false };
    });
    return r.ok ? { ok: true, capacity: { current: r.value }, calls: r.calls } : r;
  },
  async write(t: ProviderTarget, intent: ScaleIntent, deps: ProviderDeps): Promise<WriteResult> {
    const requestId = await stableUuid(intent.runId, t.pool, String(intent.desired));
    const url = `${managerUrl(t.target, t.endpoint)}/resize?size=${intent.desired}&requestId=${requestId}`;
    const r = await authed(t, deps, "resize", "POST", url, () => ({ ok: true, value: intent.desired }));
    return r.ok ? { ok: true, desired: r.value, calls: r.calls } : r;
  },
};
