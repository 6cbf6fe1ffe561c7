import type { Env } from "../../env";
import type { ScalingSecrets } from "../providers/types";

const NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "GCP_SERVICE_ACCOUNT_JSON",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_SUBSCRIPTION_ID",
  "K8S_TOKEN",
  "WEBHOOK_SECRET",
] as const satisfies readonly (keyof ScalingSecrets & keyof Env)[];

/** The cloud secrets by their contract names (CONTRACT.md); empty ones count as absent. Handed to providers only: never stored or logged. */
export function scalingSecrets(env: Env): ScalingSecrets {
  const out: Partial<Record<(typeof NAMES)[number], string>> = {};
  for (const n of NAMES) {
    const v = env[n];
    if (typeof v === "string" && v.length > 0) out[n] = v;
  }
  return out;
}
