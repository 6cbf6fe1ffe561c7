import { bodyText, control, FaultQueue, json, keptHeaders, seedGroups, type Fault, type FakeGroup, type RecordedCall } from "./common.js";

/**
 * A fake Azure: the Microsoft identity platform token endpoint
 * (POST /{tenant}/oauth2/v2.0/token, client credentials) and ARM's VM scale set GET and
 * PATCH (`api-version=2024-07-01`), with an etag that changes on every write and a
 * PATCH that needs `If-Match` on the current one (412 PreconditionFailed otherwise).
 * Scale sets are keyed `{subscription}/{resourceGroup}/{name}`.
 */

export const AZURE_API_VERSION = "2024-07-01";

export interface FakeAzure {
  readonly handler: (req: Request) => Promise<Response>;
  readonly groups: Map<string, FakeGroup>;
  readonly calls: RecordedCall[];
  tokensIssued: number;
  fault(f: Fault): void;
}

function aerror(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message } }, status, headers);
}

function faultResponse(f: Fault): Response {
  switch (f.kind) {
    case "throttling":
    case "429":
      return aerror(429, "TooManyRequests", "The request is being throttled.", { "retry-after": f.retryAfter ?? "1" });
    case "contention":
    case "409":
      return aerror(409, "Conflict", "Another operation is in progress on the scale set.");
    case "validation":
      return aerror(400, "InvalidParameter", "Injected invalid parameter");
    case "412":
      return aerror(412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.");
    case "401":
      return aerror(401, "InvalidAuthenticationToken", "The access token is invalid.");
    case "500":
      return aerror(500, "InternalServerError", "Internal server error");
  }
}

export function createFakeAzure(opts: { tenant: string; clientId: string; clientSecret: string; groups?: readonly Omit<FakeGroup, "etag">[] }): FakeAzure {
  const groups = new Map<string, FakeGroup>();
  for (const g of opts.groups ?? []) groups.set(g.name, { ...g, etag: 1 });
  const calls: RecordedCall[] = [];
  const faults = new FaultQueue();
  const tokens = new Set<string>();
  const self: FakeAzure = { handler, groups, calls, tokensIssued: 0, fault: (f) => faults.add(f) };
  const ctl = { state: () => ({ groups: [...groups.values()], calls }), seed: (b: unknown) => seedGroups(b).forEach((g) => groups.set(g.name, g)), fault: self.fault };
  const etagOf = (g: FakeGroup): string => `"${g.etag}"`;

  function token(path: string, body: string): Response {
    const form = new URLSearchParams(body);
    if (path !== `/${opts.tenant}/oauth2/v2.0/token`) return json({ error: "invalid_tenant", error_description: "AADSTS90002: Tenant not found." }, 400);
    if (form.get("grant_type") !== "client_credentials") return json({ error: "unsupported_grant_type" }, 400);
    if (form.get("scope") !== "https://management.azure.com/.default") return json({ error: "invalid_scope" }, 400);
    if (form.get("client_id") !== opts.clientId || form.get("client_secret") !== opts.clientSecret)
      return json({ error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }, 401);
    const t = `eyJ0eXAi.fake-${crypto.randomUUID()}`;
    tokens.add(t);
    self.tokensIssued++;
    return json({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: t });
  }

  function vmss(req: Request, path: string, body: string): Response {
    const url = new URL(req.url);
    const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)$/.exec(path);
    if (m === null) return aerror(404, "InvalidResourceType", "not a scale set path");
    if (url.searchParams.get("api-version") !== AZURE_API_VERSION) return aerror(400, "InvalidApiVersionParameter", `api-version must be ${AZURE_API_VERSION}`);
    const g = groups.get(`${m[1]}/${m[2]}/${m[3]}`);
    if (g === undefined) return aerror(404, "ResourceNotFound", `The Resource 'Microsoft.Compute/virtualMachineScaleSets/${m[3]}' under resource group '${m[2]}' was not found.`);
    const view = (): Response => json({ name: m[3], location: "westeurope", etag: etagOf(g), sku: { name: "Standard_D2s_v3", tier: "Standard", capacity: g.capacity } }, 200, { etag: etagOf(g) });
    if (req.method === "GET") return view();
    if (req.method !== "PATCH") return aerror(405, "MethodNotAllowed", "GET or PATCH");
    const ifMatch = req.headers.get("if-match");
    if (ifMatch !== null && ifMatch !== "*" && ifMatch !== etagOf(g)) return faultResponse({ kind: "412", count: 1 });
    const capacity = (JSON.parse(body) as { sku?: { capacity?: unknown } }).sku?.capacity;
    if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0) return aerror(400, "InvalidParameter", "sku.capacity must be a non-negative integer");
    g.capacity = capacity;
    g.etag++;
    return view();
  }

  async function handler(req: Request): Promise<Response> {
    const c = await control(req, ctl);
    if (c !== null) return c;
    const url = new URL(req.url);
    const body = await bodyText(req);
    const action = url.pathname.endsWith("/oauth2/v2.0/token") ? "token" : req.method === "PATCH" ? "patch" : "get";
    const f = faults.take(action);
    let res: Response;
    if (action === "token") res = f !== undefined ? faultResponse(f) : token(url.pathname, body);
    else if (!tokens.has((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""))) res = aerror(401, "InvalidAuthenticationToken", "The access token is invalid.");
    else if (f !== undefined) res = faultResponse(f);
    else res = vmss(req, url.pathname, body);
    calls.push({ action, method: req.method, path: url.pathname + url.search, status: res.status, headers: keptHeaders(req), body: action === "token" ? "" : body });
    return res;
  }
  return self;
}
