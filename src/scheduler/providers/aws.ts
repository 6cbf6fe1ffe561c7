import { AwsClient } from "aws4fetch";
import { TARGET_SCHEMAS } from "./targets.js";
import { callWithRetry, invalidTarget, missingSecret, withEndpoint, type CallResult, type Parsed } from "./retry.js";
import { xmlCount, xmlText } from "./xml.js";
import type { Capacity, ProviderDeps, ProviderTarget, ReadResult, ScaleIntent, ScalingProviderImpl, WriteResult } from "./types.js";

/**
 * AWS Auto Scaling through the Query API (REFERENCE.md): a form-encoded POST to `/` with
 * Version=2011-01-01, answered in XML. Signed with SigV4 by aws4fetch for `target.region`
 * and service `autoscaling`; aws4fetch's own retries are off because they skip the 400
 * Throttling AWS actually sends, so retry.ts classifies every answer itself.
 */

const VERSION = "2011-01-01";
const SECRETS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

/** SigV4's X-Amz-Date form (ISO 8601 basic), from the injected clock. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** `ErrorResponse/Error/Code` and `Message` of an AWS error answer. */
function awsError(status: number, xml: string): Parsed<never> {
  return { ok: false, code: xmlText(xml, "Code") ?? `http_${status}`, message: xmlText(xml, "Message") ?? `HTTP ${status}` };
}

async function query<T>(
  t: ProviderTarget,
  deps: ProviderDeps,
  action: string,
  params: Readonly<Record<string, string>>,
  parse: (xml: string) => Parsed<T>,
): Promise<CallResult<T>> {
  const target = TARGET_SCHEMAS.aws.safeParse(t.target);
  if (!target.success) return invalidTarget(target.error.message);
  const accessKeyId = deps.secrets.AWS_ACCESS_KEY_ID;
  const secretAccessKey = deps.secrets.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId === undefined || secretAccessKey === undefined || accessKeyId === "" || secretAccessKey === "")
    return missingSecret("aws", action, SECRETS.filter((n) => !deps.secrets[n]), deps);
  const { region } = target.data;
  // retries: 0 — aws4fetch only signs here; deps.fetch sends, retry.ts retries.
  const client = new AwsClient({ accessKeyId, secretAccessKey, region, service: "autoscaling", retries: 0 });
  const url = withEndpoint(`https://autoscaling.${region}.amazonaws.com/`, t.endpoint);
  const body = new URLSearchParams({ Action: action, Version: VERSION, ...params }).toString();
  return callWithRetry(
    {
      provider: "aws",
      action,
      send: async (signal) => {
        const signed = await client.sign(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
          body,
          aws: { datetime: amzDate(deps.now()) },
        });
        return deps.fetch(signed, { signal });
      },
      parse: async (res) => {
        const xml = await res.text();
        return res.ok ? parse(xml) : awsError(res.status, xml);
      },
    },
    deps,
  );
}

function readGroup(xml: string, group: string): Parsed<Capacity> {
  // An unknown group is not an error to AWS: the list comes back empty.
  if (xmlCount(xml, "AutoScalingGroupName") === 0) return { ok: false, code: "group_not_found", message: `no Auto Scaling group named ${group}`, retryable: false };
  const current = Number(xmlText(xml, "DesiredCapacity"));
  const min = Number(xmlText(xml, "MinSize"));
  const max = Number(xmlText(xml, "MaxSize"));
  if (!Number.isInteger(current)) return { ok: false, code: "bad_response", message: "DesiredCapacity missing from DescribeAutoScalingGroups", retryable: false };
  return { ok: true, value: { current, ...(Number.isInteger(min) ? { min } : {}), ...(Number.isInteger(max) ? { max } : {}) } };
}

export const aws: ScalingProviderImpl = {
  name: "aws",
  async read(t: ProviderTarget, deps: ProviderDeps): Promise<ReadResult> {
    const group = t.target.group ?? "";
    const r = await query(t, deps, "DescribeAutoScalingGroups", { "AutoScalingGroupNames.member.1": group }, (xml) => readGroup(xml, group));
    return r.ok ? { ok: true, capacity: r.value, calls: r.calls } : r;
  },
  async write(t: ProviderTarget, intent: ScaleIntent, deps: ProviderDeps): Promise<WriteResult> {
    const params = { AutoScalingGroupName: t.target.group ?? "", DesiredCapacity: String(intent.desired), HonorCooldown: "false" };
    const r = await query(t, deps, "SetDesiredCapacity", params, () => ({ ok: true, value: intent.desired }));
    return r.ok ? { ok: true, desired: r.value, calls: r.calls } : r;
  },
};
