import type { ScalingProvider } from "../../config/schema.js";
import { aws } from "./aws.js";
import type { ScalingProviderImpl } from "./types.js";

/** Until its module lands: a typed final error, never a throw, so a run stays whole. */
function notYet(name: ScalingProvider): ScalingProviderImpl {
  const error = { code: "provider_not_implemented", message: `${name} provider is not implemented yet`, retryable: false };
  return { name, read: async () => ({ ok: false, error, calls: [] }), write: async () => ({ ok: false, error, calls: [] }) };
}

/** Every scaling provider behind the one interface (types.ts), by the config's provider name. */
export const PROVIDERS: Readonly<Record<ScalingProvider, ScalingProviderImpl>> = {
  aws,
  gcp: notYet("gcp"),
  azure: notYet("azure"),
  kubernetes: notYet("kubernetes"),
  webhook: notYet("webhook"),
};
