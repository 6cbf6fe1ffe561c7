import type { ProviderDeps, ScalingSecrets } from "../../../src/scheduler/providers/types.js";
import type { FakeHandler } from "./common.js";

/** Provider deps for tests: a fake clock that sleep() advances, the fake as fetch, sleeps recorded. */
export interface TestDeps extends ProviderDeps {
  readonly sleeps: number[];
  clock: number;
}

export function testDeps(handler: FakeHandler, secrets: ScalingSecrets, opts: { start?: number; budgetMs?: number; random?: () => number } = {}): TestDeps {
  const start = opts.start ?? Date.UTC(2026, 11, 6, 12, 0, 0);
  const d: TestDeps = {
    clock: start,
    sleeps: [],
    now: () => d.clock,
    sleep: async (ms: number) => {
      d.sleeps.push(ms);
      d.clock += ms;
    },
    random: opts.random ?? (() => 0.5),
    secrets,
    deadline: start + (opts.budgetMs ?? 60_000),
    fetch: (input: Request | string, init?: RequestInit) => handler(new Request(input, init)),
  };
  return d;
}
