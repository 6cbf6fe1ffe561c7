import { bodyText, control, FaultQueue, json, keptHeaders, seedGroups, type Fault, type FakeGroup, type RecordedCall } from "./common.js";

/**
 * A fake Kubernetes API server: GET and PATCH of
 * /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale (autoscaling/v1 Scale), bearer
 * token checked, PATCH only as `application/merge-patch+json`, errors as `Status`
 * objects. Deployments are keyed `{ns}/{name}`.
 */

export interface FakeKubernetes {
  readonly handler: (req: Request) => Promise<Response>;
  readonly groups: Map<string, FakeGroup>;
  readonly calls: RecordedCall[];
  fault(f: Fault): void;
}

function status(code: number, reason: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }, code, headers);
}

function faultResponse(f: Fault): Response {
  switch (f.kind) {
    case "throttling":
    case "429":
      return status(429, "TooManyRequests", "too many requests", { "retry-after": f.retryAfter ?? "1" });
    case "contention":
    case "409":
      return status(409, "Conflict", "Operation cannot be fulfilled on deployments.apps: the object has been modified");
    case "validation":
      return status(422, "Invalid", "Scale.autoscaling \"x\" is invalid: spec.replicas: Invalid value");
    case "412":
      return status(412, "PreconditionFailed", "precondition failed");
    case "401":
      return status(401, "Unauthorized", "Unauthorized");
    case "500":
      return status(500, "InternalError", "Internal error occurred");
  }
}

export function createFakeKubernetes(opts: { token: string; groups?: readonly Omit<FakeGroup, "etag">[] }): FakeKubernetes {
  const groups = new Map<string, FakeGroup>();
  for (const g of opts.groups ?? []) groups.set(g.name, { ...g, etag: 1 });
  const calls: RecordedCall[] = [];
  const faults = new FaultQueue();
  const self: FakeKubernetes = { handler, groups, calls, fault: (f) => faults.add(f) };
  const ctl = { state: () => ({ groups: [...groups.values()], calls }), seed: (b: unknown) => seedGroups(b).forEach((g) => groups.set(g.name, g)), fault: self.fault };

  function scale(req: Request, path: string, body: string): Response {
    const m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/.exec(path);
    if (m === null) return status(404, "NotFound", "the server could not find the requested resource");
    const g = groups.get(`${m[1]}/${m[2]}`);
    if (g === undefined) return status(404, "NotFound", `deployments.apps "${m[2]}" not found`);
    const view = (): Response =>
      json({ kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name: m[2], namespace: m[1], resourceVersion: String(g.etag) }, spec: { replicas: g.capacity }, status: { replicas: g.capacity } });
    if (req.method === "GET") return view();
    if (req.method !== "PATCH") return status(405, "MethodNotAllowed", "GET or PATCH");
    if ((req.headers.get("content-type") ?? "").split(";")[0] !== "application/merge-patch+json") return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format");
    const replicas = (JSON.parse(body) as { spec?: { replicas?: unknown } }).spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) return faultResponse({ kind: "validation", count: 1 });
    g.capacity = replicas;
    g.etag++;
    return view();
  }

  async function handler(req: Request): Promise<Response> {
    const c = await control(req, ctl);
    if (c !== null) return c;
    const url = new URL(req.url);
    const body = await bodyText(req);
    const action = req.method === "PATCH" ? "patch" : "get";
    const f = faults.take(action);
    let res: Response;
    if (req.headers.get("authorization") !== `Bearer ${opts.token}`) res = status(401, "Unauthorized", "Unauthorized");
    else if (f !== undefined) res = faultResponse(f);
    else res = scale(req, url.pathname, body);
    calls.push({ action, method: req.method, path: url.pathname, status: res.status, headers: keptHeaders(req), body });
    return res;
  }
  return self;
}
