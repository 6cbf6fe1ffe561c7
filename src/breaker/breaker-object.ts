import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** Placeholder; the breaker issue replaces it with the authoritative per-origin breaker. */
export class BreakerObject extends DurableObject<Env> {
  ping(): string {
    return "pong";
  }
}
