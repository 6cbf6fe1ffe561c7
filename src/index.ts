import type { Env } from "./env";

export { BreakerObject } from "./breaker/breaker-object";

export default {
  async fetch(): Promise<Response> {
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
