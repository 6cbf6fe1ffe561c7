/**
 * What every benchmark worker around the real one shares: bare workerd has no D1, so D1 is
 * the counting stand-in (bench/lib/fake-d1.ts) holding the config the bench defines as
 * BENCH_CONFIG, and the breaker object class is the real one on that stand-in.
 */
import { BreakerObject as RealBreakerObject } from "../../src/index";
import type { Env } from "../../src/env";
import { FakeD1 } from "./fake-d1";

declare const BENCH_CONFIG: string;

export const db = new FakeD1({ version: 1, config: BENCH_CONFIG });

/** The worker's env with D1 replaced by the stand-in. */
export function withDb(env: Env): Env {
  return Object.assign(Object.create(env) as Env, { DB: db as unknown as D1Database });
}

export class BreakerObject extends RealBreakerObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, withDb(env));
  }
}
