import { exportPKCS8, exportSPKI, generateKeyPair, importSPKI, jwtVerify } from "jose";
import { bodyText, control, FaultQueue, json, keptHeaders, seedGroups, type Fault, type FakeGroup, type RecordedCall } from "./common.js";

/**
 * A fake GCP: the OAuth token endpoint (POST /token, JWT-bearer grant; the assertion's
 * RS256 signature checked with the service account's public key, its iss/aud/scope
 * checked) and the Compute instanceGroupManagers get and resize, zonal and regional,
 * with Google's JSON error shape (`error.errors[0].reason`). Groups are keyed by their
 * full path (`projects/p/zones/z/instanceGroupManagers/g`).
 */

export const GCP_TOKEN_URI = "https://oauth2.googleapis.com/token";
const SCOPE = "https://www.googleapis.com/auth/compute";

export interface FakeGcp {
  readonly handler: (req: Request) => Promise<Response>;
  /** By path: projects/{p}/(zones/{z}|regions/{r})/instanceGroupManagers/{g}. */
  readonly groups: Map<string, FakeGroup>;
  readonly calls: RecordedCall[];
  /** requestIds resize has seen (a repeat is a no-op, as in Compute). */
  readonly requestIds: string[];
  tokensIssued: number;
  fault(f: Fault): void;
}

export interface ServiceAccountKey {
  readonly type: "service_account";
  readonly project_id: string;
  readonly private_key_id: string;
  readonly private_key: string;
  readonly client_email: string;
  readonly token_uri: string;
}

/** A fresh RSA key pair and the service-account JSON a provider would be given. */
export async function makeServiceAccount(email = "scaler@demo-project.iam.gserviceaccount.com"): Promise<{ key: ServiceAccountKey; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  return {
    key: { type: "service_account", project_id: "demo-project", private_key_id: "fake-key-1", private_key: await exportPKCS8(privateKey), client_email: email, token_uri: GCP_TOKEN_URI },
    publicKeyPem: await exportSPKI(publicKey),
  };
}

function gerror(status: number, reason: string, message: string): Response {
  return json({ error: { code: status, message, errors: [{ domain: "global", reason, message }] } }, status);
}

function faultResponse(f: Fault): Response {
  switch (f.kind) {
    case "throttling":
      return gerror(403, "rateLimitExceeded", "Rate Limit Exceeded");
    case "429":
      return new Response(JSON.stringify({ error: { code: 429, message: "Too Many Requests", errors: [{ reason: "rateLimitExceeded" }] } }), { status: 429, headers: { "retry-after": f.retryAfter ?? "1", "content-type": "application/json" } });
    case "contention":
    case "409":
      return gerror(409, "resourceNotReady", "The resource is not ready");
    case "validation":
      return gerror(400, "invalid", "Invalid value for field 'size'");
    case "412":
      return gerror(412, "conditionNotMet", "Cannot resize an autoscaled regional group");
    case "401":
      return gerror(401, "authError", "Invalid Credentials");
    case "500":
      return gerror(503, "backendError", "Backend Error");
  }
}

export function createFakeGcp(opts: { publicKeyPem: string; clientEmail: string; now?: () => number; groups?: readonly (Omit<FakeGroup, "etag">)[] }): FakeGcp {
  const now = opts.now ?? (() => Date.now());
  const groups = new Map<string, FakeGroup>();
  for (const g of opts.groups ?? []) groups.set(g.name, { ...g, etag: 1 });
  const calls: RecordedCall[] = [];
  const faults = new FaultQueue();
  const tokens = new Set<string>();
  const requestIds: string[] = [];
  const self: FakeGcp = { handler, groups, calls, requestIds, tokensIssued: 0, fault: (f) => faults.add(f) };
  const ctl = { state: () => ({ groups: [...groups.values()], calls, requestIds }), seed: (b: unknown) => seedGroups(b).forEach((g) => groups.set(g.name, g)), fault: self.fault };

  async function token(body: string): Promise<Response> {
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return json({ error: "unsupported_grant_type" }, 400);
    try {
      const { payload } = await jwtVerify(form.get("assertion") ?? "", await importSPKI(opts.publicKeyPem, "RS256"), { algorithms: ["RS256"], audience: GCP_TOKEN_URI, issuer: opts.clientEmail, currentDate: new Date(now()) });
      if (payload.scope !== SCOPE) return json({ error: "invalid_scope", error_description: "compute scope required" }, 400);
    } catch (e) {
      return json({ error: "invalid_grant", error_description: `Invalid JWT Signature. (${e instanceof Error ? e.name : "error"})` }, 400);
    }
    const t = `ya29.fake-${crypto.randomUUID()}`;
    tokens.add(t);
    self.tokensIssued++;
    return json({ access_token: t, expires_in: 3599, token_type: "Bearer" });
  }

  function compute(req: Request, path: string, action: string): Response {
    const m = /^\/compute\/v1\/(projects\/[^/]+\/(?:zones|regions)\/[^/]+\/instanceGroupManagers\/[^/]+)(\/resize)?$/.exec(path);
    if (m === null) return gerror(404, "notFound", `The resource '${path}' was not found`);
    const g = groups.get(m[1] ?? "");
    if (g === undefined) return gerror(404, "notFound", `The resource '${m[1]}' was not found`);
    if (action === "get") return json({ kind: "compute#instanceGroupManager", name: g.name.split("/").at(-1), targetSize: g.capacity });
    const url = new URL(req.url);
    const size = Number(url.searchParams.get("size"));
    const requestId = url.searchParams.get("requestId") ?? "";
    if (!Number.isInteger(size) || size < 0) return gerror(400, "invalid", "Invalid value for field 'size'");
    if (!requestIds.includes(requestId)) g.capacity = size;
    requestIds.push(requestId);
    return json({ kind: "compute#operation", operationType: "compute.instanceGroupManagers.resize", status: "RUNNING", targetLink: m[1] });
  }

  async function handler(req: Request): Promise<Response> {
    const c = await control(req, ctl);
    if (c !== null) return c;
    const url = new URL(req.url);
    const body = await bodyText(req);
    const action = url.pathname === "/token" ? "token" : url.pathname.endsWith("/resize") ? "resize" : "get";
    let res: Response;
    const f = faults.take(action);
    if (action === "token") res = f !== undefined ? faultResponse(f) : await token(body);
    else if (!tokens.has((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""))) res = gerror(401, "authError", "Request had invalid authentication credentials.");
    else if (f !== undefined) res = faultResponse(f);
    else if ((action === "resize") !== (req.method === "POST")) res = gerror(405, "methodNotAllowed", "wrong method");
    else res = compute(req, url.pathname, action);
    calls.push({ action, method: req.method, path: url.pathname + url.search, status: res.status, headers: keptHeaders(req), body: action === "token" ? "" : body });
    return res;
  }
  return self;
}
