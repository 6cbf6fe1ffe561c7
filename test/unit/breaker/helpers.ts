import { edgeConfigSchema, type BreakerConfig } from "../../../src/config/schema";
import type { MachineCtx } from "../../../src/breaker/state-machine";

export function breakerConfig(over: Partial<Record<keyof BreakerConfig, unknown>> = {}): BreakerConfig {
  return edgeConfigSchema.shape.breaker.parse(over);
}

/** A manual clock plus fixed randomness: every test drives time itself. */
export function machine(config: BreakerConfig, start = 1_000_000): MachineCtx & { advance(ms: number): void } {
  const c = {
    now: start,
    random: () => 0.5,
    config,
    advance(ms: number) {
      c.now += ms;
    },
  };
  return c;
}
