import { createFakeAws, type FakeAws } from "./aws.js";
import { createFakeAzure, type FakeAzure } from "./azure.js";
import { json, type FakeHandler } from "./common.js";
import { createFakeGcp, makeServiceAccount, type FakeGcp, type ServiceAccountKey } from "./gcp.js";
import { createFakeKubernetes, type FakeKubernetes } from "./kubernetes.js";
import { createFakeWebhook, type FakeWebhook } from "./webhook.js";

/**
 * All five fakes behind one handler, dispatched by path as the real APIs are laid out:
 * AWS Query API `POST /`; GCP `/compute/v1/…` and `/token`; Azure `/subscriptions/…` and
 * `/{tenant}/oauth2/v2.0/token`; Kubernetes `/apis/…`; the webhook receiver `/webhook`.
 * Control routes: `/_fake/{aws|gcp|azure|kubernetes|webhook}/{state|seed|fault}`, plus
 * `GET /_fake/state` (all five) and `GET /_fake/gcp/service-account` (the demo key JSON).
 */

export type FakeName = "aws" | "gcp" | "azure" | "kubernetes" | "webhook";
const NAMES: readonly FakeName[] = ["aws", "gcp", "azure", "kubernetes", "webhook"];

/** Which fake serves this method and path (null: none). Pure, so the dispatch is unit-tested. */
export function routeFake(method: string, path: string): FakeName | null {
  if (method === "POST" && path === "/") return "aws";
  if (path.startsWith("/compute/v1/") || path === "/token") return "gcp";
  if (path.startsWith("/subscriptions/") || /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return "azure";
  if (path.startsWith("/apis/")) return "kubernetes";
  if (path === "/webhook") return "webhook";
  return null;
}

export const DEMO = {
  awsKeys: { AKIAFAKEDEMO00000001: "fakeDemoSecretKeyForLocalFakeAwsOnly0001" } as Record<string, string>,
  azure: { tenant: "00000000-0000-0000-0000-0000000000aa", clientId: "fake-client", clientSecret: "fake-client-secret" },
  k8sToken: "fake-k8s-token",
  webhookSecret: "whsec_ZmFrZS13ZWJob29rLXNlY3JldC1mb3ItZGVtbw==",
};

export interface FakeClouds {
  readonly handler: FakeHandler;
  readonly aws: FakeAws;
  readonly gcp: FakeGcp;
  readonly azure: FakeAzure;
  readonly kubernetes: FakeKubernetes;
  readonly webhook: FakeWebhook;
  readonly serviceAccount: ServiceAccountKey;
}

export interface FakeCloudsOptions {
  readonly awsKeys?: Readonly<Record<string, string>>;
  readonly awsGroups?: readonly { name: string; capacity: number; min: number; max: number }[];
  readonly now?: () => number;
}

export async function createFakeClouds(opts: FakeCloudsOptions = {}): Promise<FakeClouds> {
  const sa = await makeServiceAccount();
  const fakes = {
    aws: createFakeAws({ keys: opts.awsKeys ?? DEMO.awsKeys, groups: opts.awsGroups ?? [] }),
    gcp: createFakeGcp({ publicKeyPem: sa.publicKeyPem, clientEmail: sa.key.client_email, ...(opts.now ? { now: opts.now } : {}) }),
    azure: createFakeAzure(DEMO.azure),
    kubernetes: createFakeKubernetes({ token: DEMO.k8sToken }),
    webhook: createFakeWebhook({ secret: DEMO.webhookSecret, ...(opts.now ? { now: opts.now } : {}) }),
  };
  const handler: FakeHandler = async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/_fake/state" && req.method === "GET") {
      const all: Record<string, unknown> = {};
      for (const n of NAMES) all[n] = await (await fakes[n].handler(new Request(new URL("/_fake/state", url)))).json();
      return json(all);
    }
    if (url.pathname === "/_fake/gcp/service-account") return json(sa.key);
    const ctl = /^\/_fake\/([a-z]+)(\/.*)$/.exec(url.pathname);
    if (ctl !== null) {
      const name = NAMES.find((n) => n === ctl[1]);
      if (name === undefined) return json({ error: "unknown fake" }, 404);
      return fakes[name].handler(new Request(new URL(`/_fake${ctl[2]}`, url), req));
    }
    const name = routeFake(req.method, url.pathname);
    return name === null ? json({ error: "no fake cloud serves this path" }, 404) : fakes[name].handler(req);
  };
  return { handler, ...fakes, serviceAccount: sa.key };
}
