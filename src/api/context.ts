import type { EdgeRuntime } from "../edge/runtime";
import type { Env, Settings } from "../env";

/** Hono generics for the control API: bindings plus per-request variables. */
export interface ApiEnv {
  Bindings: Env;
  Variables: { runtime: EdgeRuntime; settings: Settings };
}
