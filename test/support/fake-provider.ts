import { SCALING_PROVIDERS, type ScalingProvider } from "../../src/config/schema";
import type { CallRecord, ProviderDeps, ProviderTarget, ScaleIntent, ScalingProviderImpl, ScalingSecrets } from "../../src/scheduler/providers/types";
import type { ProviderRegistry } from "../../src/scheduler/scaling/run";

/**
 * A tiny in-memory cloud behind the provider interface, for the run's tests (the real
 * providers and their wire-format fakes are tested on their own). Capacity per pool; every
 * read and write is logged; `needs` names a secret whose absence fails the read as a
 * provider would (outcome missing_secret, nothing sent).
 */
export interface FakeCloud {
  readonly registry: ProviderRegistry;
  readonly capacity: Map<string, number>;
  readonly log: { pool: string; action: "read" | "write"; desired?: number; intent?: ScaleIntent }[];
  /** Called after a write took effect: a test may throw here to crash mid-pool. */
  afterWrite?: (pool: string) => void;
  /** Awaited inside every read: a test may hold a run open here. */
  gate?: () => Promise<void>;
}

export function fakeCloud(initial: Record<string, number>, needs: Partial<Record<ScalingProvider, keyof ScalingSecrets>> = {}): FakeCloud {
  const cloud: FakeCloud = { registry: {} as ProviderRegistry, capacity: new Map(Object.entries(initial)), log: [] };
  const call = (provider: ScalingProvider, action: string, at: number, status: number | null, outcome: CallRecord["outcome"], errorCode: string | null = null): CallRecord => ({
    provider, action, at, status, outcome, errorCode, attempt: 1, latencyMs: 1,
  });
  const make = (name: ScalingProvider): ScalingProviderImpl => ({
    name,
    async read(t: ProviderTarget, d: ProviderDeps) {
      const secret = needs[name];
      if (secret && !d.secrets[secret]) {
        const error = { code: "missing_secret", message: `${secret} is not set`, retryable: false };
        return { ok: false, error, calls: [call(name, "read", d.now(), null, "missing_secret", "missing_secret")] };
      }
      await cloud.gate?.();
      cloud.log.push({ pool: t.pool, action: "read" });
      const current = cloud.capacity.get(t.pool) ?? 0;
      return { ok: true, capacity: { current }, calls: [call(name, "read", d.now(), 200, "ok")] };
    },
    async write(t: ProviderTarget, intent: ScaleIntent, d: ProviderDeps) {
      cloud.log.push({ pool: t.pool, action: "write", desired: intent.desired, intent });
      cloud.capacity.set(t.pool, intent.desired);
      cloud.afterWrite?.(t.pool);
      return { ok: true, desired: intent.desired, calls: [call(name, "write", d.now(), 200, "ok")] };
    },
  });
  Object.assign(cloud.registry, Object.fromEntries(SCALING_PROVIDERS.map((n) => [n, make(n)])));
  return cloud;
}
