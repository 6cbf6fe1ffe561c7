import { SignatureV4 } from "@smithy/signature-v4";
import { xmlEscape } from "../../../src/scheduler/providers/xml.js";
import { bodyText, control, FaultQueue, keptHeaders, seedGroups, type Fault, type FakeGroup, type RecordedCall } from "./common.js";
import { WebSha256 } from "./sha256.js";

/**
 * A fake AWS Auto Scaling Query API: POST / with a form body, XML answers, and every
 * request's SigV4 signature checked by @smithy/signature-v4 (an independent signer, not
 * aws4fetch) against the keys it was given. An unknown group is what AWS says it is: an
 * empty AutoScalingGroups list on Describe, a ValidationError on SetDesiredCapacity.
 */

const NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

export interface FakeAwsOptions {
  /** accessKeyId → secretAccessKey the fake accepts. */
  readonly keys: Readonly<Record<string, string>>;
  readonly groups?: readonly Omit<FakeGroup, "etag">[];
}

export interface FakeAws {
  readonly handler: (req: Request) => Promise<Response>;
  readonly groups: Map<string, FakeGroup>;
  readonly calls: RecordedCall[];
  fault(f: Fault): void;
}

function error(status: number, code: string, message: string, type = "Sender"): Response {
  const xml = `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>fake-0000</RequestId></ErrorResponse>`;
  return new Response(xml, { status, headers: { "content-type": "text/xml" } });
}

function ok(action: string, result: string): Response {
  const inner = result === "" ? "" : `<${action}Result>${result}</${action}Result>`;
  return new Response(`<${action}Response xmlns="${NS}">${inner}<ResponseMetadata><RequestId>fake-0001</RequestId></ResponseMetadata></${action}Response>`, {
    status: 200,
    headers: { "content-type": "text/xml" },
  });
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Re-signs the request with smithy's signer and compares; null when it matches, else the AWS error. */
async function verify(req: Request, body: string, keys: FakeAwsOptions["keys"]): Promise<Response | null> {
  const m = AUTH.exec(req.headers.get("authorization") ?? "");
  const amzDate = req.headers.get("x-amz-date");
  if (m === null || amzDate === null) return error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  const [, keyId = "", , region = "", service = "", signedHeaders = "", signature = ""] = m;
  const secret = keys[keyId];
  if (secret === undefined) return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  if (service !== "autoscaling") return error(403, "SignatureDoesNotMatch", `Credential should be scoped to correct service: 'autoscaling'.`);
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  for (const h of signedHeaders.split(";")) if (h !== "x-amz-date") headers[h] = h === "host" ? url.host : (req.headers.get(h) ?? "");
  const signer = new SignatureV4({ credentials: { accessKeyId: keyId, secretAccessKey: secret }, region, service, sha256: WebSha256, applyChecksum: false, uriEscapePath: true });
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const port = url.port === "" ? undefined : Number(url.port);
  const signed = await signer.sign(
    { method: req.method, protocol: url.protocol, hostname: url.hostname, ...(port === undefined ? {} : { port }), path: url.pathname, query: {}, headers, body },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? "")?.[1];
  if (expected !== signature) return error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
  return null;
}

function faultResponse(f: Fault): Response {
  switch (f.kind) {
    case "throttling":
      return error(400, "Throttling", "Rate exceeded");
    case "429":
      return new Response("", { status: 429, headers: { "retry-after": f.retryAfter ?? "1" } });
    case "contention":
      return error(500, "ResourceContention", "You already have a pending update to an Auto Scaling resource.", "Receiver");
    case "validation":
      return error(400, "ValidationError", "Injected validation error");
    case "401":
      return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    case "409":
      return error(400, "ScalingActivityInProgress", "Scaling activity in progress");
    case "412":
      return error(412, "PreconditionFailed", "Injected precondition failure");
    case "500":
      return error(500, "InternalFailure", "Internal failure", "Receiver");
  }
}

function describe(groups: Map<string, FakeGroup>, names: string[]): Response {
  const members = names
    .map((n) => groups.get(n))
    .filter((g): g is FakeGroup => g !== undefined)
    .map((g) => {
      const instances = Array.from({ length: g.capacity }, (_, i) => `<member><InstanceId>i-${String(i).padStart(8, "0")}</InstanceId><LifecycleState>InService</LifecycleState></member>`).join("");
      return `<member><AutoScalingGroupName>${xmlEscape(g.name)}</AutoScalingGroupName><MinSize>${g.min}</MinSize><MaxSize>${g.max}</MaxSize><DesiredCapacity>${g.capacity}</DesiredCapacity><Instances>${instances}</Instances></member>`;
    })
    .join("");
  return ok("DescribeAutoScalingGroups", `<AutoScalingGroups>${members}</AutoScalingGroups>`);
}

export function createFakeAws(opts: FakeAwsOptions): FakeAws {
  const groups = new Map<string, FakeGroup>();
  for (const g of opts.groups ?? []) groups.set(g.name, { ...g, etag: 1 });
  const calls: RecordedCall[] = [];
  const faults = new FaultQueue();
  const fake = {
    state: () => ({ groups: [...groups.values()], calls }),
    seed: (body: unknown) => {
      for (const g of seedGroups(body)) groups.set(g.name, g);
    },
    fault: (f: Fault) => faults.add(f),
  };

  async function answer(req: Request, body: string, form: URLSearchParams, action: string): Promise<Response> {
    const bad = await verify(req, body, opts.keys);
    if (bad !== null) return bad;
    if (form.get("Version") !== "2011-01-01") return error(400, "InvalidParameterValue", "Version must be 2011-01-01");
    const f = faults.take(action);
    if (f !== undefined) return faultResponse(f);
    if (action === "DescribeAutoScalingGroups") {
      const names = [...form.entries()].filter(([k]) => k.startsWith("AutoScalingGroupNames.member.")).map(([, v]) => v);
      return describe(groups, names);
    }
    if (action === "SetDesiredCapacity") {
      const name = form.get("AutoScalingGroupName") ?? "";
      const desired = Number(form.get("DesiredCapacity"));
      const g = groups.get(name);
      if (g === undefined) return error(400, "ValidationError", `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
      if (!Number.isInteger(desired)) return error(400, "ValidationError", "DesiredCapacity must be an integer");
      if (desired > g.max) return error(400, "ValidationError", `New SetDesiredCapacity value ${desired} is above max value ${g.max} for the AutoScalingGroup.`);
      if (desired < g.min) return error(400, "ValidationError", `New SetDesiredCapacity value ${desired} is below min value ${g.min} for the AutoScalingGroup.`);
      g.capacity = desired;
      return ok("SetDesiredCapacity", "");
    }
    return error(400, "InvalidAction", `Could not find operation ${action} for version 2011-01-01`);
  }

  return {
    groups,
    calls,
    fault: fake.fault,
    handler: async (req) => {
      const ctl = await control(req, fake);
      if (ctl !== null) return ctl;
      const body = await bodyText(req);
      const form = new URLSearchParams(body);
      const action = form.get("Action") ?? "";
      const res = req.method === "POST" && new URL(req.url).pathname === "/" ? await answer(req, body, form, action) : error(404, "UnknownOperation", "POST / only");
      calls.push({ action, method: req.method, path: new URL(req.url).pathname, status: res.status, headers: keptHeaders(req), body });
      return res;
    },
  };
}
