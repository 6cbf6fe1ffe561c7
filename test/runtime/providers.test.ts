import { beforeEach, describe, expect, it } from "vitest";
import { PROVIDERS } from "../../src/scheduler/providers/index.js";
import { clearTokenCache } from "../../src/scheduler/providers/token-cache.js";
import type { ProviderTarget, ScaleIntent } from "../../src/scheduler/providers/types.js";
import { testDeps } from "../support/fake-clouds/deps.js";
import { createFakeClouds, DEMO } from "../support/fake-clouds/index.js";

// The providers and their libraries (aws4fetch, jose, WebCrypto, AbortSignal.timeout) inside
// workerd, against the same fakes the unit tests use: what runs in the cron runs here.
const intent: ScaleIntent = { runId: "rt", current: 2, desired: 6, reason: "forecast", forecast: null };
const EP = "http://127.0.0.1:1";

beforeEach(() => clearTokenCache());

describe("scaling providers in workerd", () => {
  it("aws, gcp, azure, kubernetes and webhook read then write against the fakes", async () => {
    let deps: ReturnType<typeof testDeps> | undefined;
    const clouds = await createFakeClouds({ awsGroups: [{ name: "asg", capacity: 2, min: 1, max: 20 }], now: () => deps?.clock ?? 0 });
    const seed = (name: string, group: string) =>
      clouds.handler(new Request(`${EP}/_fake/${name}/seed`, { method: "POST", body: JSON.stringify({ groups: [{ name: group, desired: 2, min: 0, max: 20 }] }) }));
    await seed("gcp", "projects/p/regions/r/instanceGroupManagers/g");
    await seed("azure", "sub-rt-0001/rg/vm");
    await seed("kubernetes", "ns/web");
    await seed("webhook", "pool-rt");
    const [keyId = "", keySecret = ""] = Object.entries(DEMO.awsKeys)[0] ?? [];
    deps = testDeps(clouds.handler, {
      AWS_ACCESS_KEY_ID: keyId,
      AWS_SECRET_ACCESS_KEY: keySecret,
      GCP_SERVICE_ACCOUNT_JSON: JSON.stringify(clouds.serviceAccount),
      AZURE_TENANT_ID: DEMO.azure.tenant,
      AZURE_CLIENT_ID: DEMO.azure.clientId,
      AZURE_CLIENT_SECRET: DEMO.azure.clientSecret,
      AZURE_SUBSCRIPTION_ID: "sub-rt-0001",
      K8S_TOKEN: DEMO.k8sToken,
      WEBHOOK_SECRET: DEMO.webhookSecret,
    });
    const targets: ProviderTarget[] = [
      { pool: "pool-rt", provider: "aws" as const, target: { region: "eu-west-1", group: "asg" }, endpoint: EP },
      { pool: "pool-rt", provider: "gcp" as const, target: { project: "p", region: "r", group: "g" }, endpoint: EP },
      { pool: "pool-rt", provider: "azure" as const, target: { resource_group: "rg", scale_set: "vm" }, endpoint: EP },
      { pool: "pool-rt", provider: "kubernetes" as const, target: { api_server: "https://k8s.example.com", namespace: "ns", deployment: "web" }, endpoint: EP },
      { pool: "pool-rt", provider: "webhook" as const, target: { url: "https://hooks.example.com/webhook" }, endpoint: EP },
    ];
    for (const t of targets) {
      const r = await PROVIDERS[t.provider].read(t, deps);
      expect(r, t.provider).toMatchObject({ ok: true, capacity: { current: 2 } });
      const w = await PROVIDERS[t.provider].write(t, intent, deps);
      expect(w, t.provider).toMatchObject({ ok: true, desired: 6 });
    }
    expect([...clouds.aws.groups.values()][0]?.capacity).toBe(6);
    expect(clouds.kubernetes.groups.get("ns/web")?.capacity).toBe(6);
  });
});
