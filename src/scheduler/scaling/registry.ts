import { SCALING_PROVIDERS, type ScalingProvider } from "../../config/schema";
import type { ScalingProviderImpl } from "../providers/types";
import type { ProviderRegistry } from "./run";

/** Placeholder until src/scheduler/providers/index.ts lands: every provider reports itself unavailable. */
function unavailable(name: ScalingProvider): ScalingProviderImpl {
  const error = { code: "provider_unavailable", message: `the ${name} provider is not built in`, retryable: false };
  return { name, read: async () => ({ ok: false, error, calls: [] }), write: async () => ({ ok: false, error, calls: [] }) };
}

export const DEFAULT_PROVIDERS: ProviderRegistry = Object.fromEntries(SCALING_PROVIDERS.map((n) => [n, unavailable(n)])) as Record<ScalingProvider, ScalingProviderImpl>;
