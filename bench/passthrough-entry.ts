/** The baseline: a bare passthrough worker to the same origin, no routing, no state. */
interface PassEnv {
  ORIGIN: string;
}
export default {
  async fetch(request: Request, env: PassEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/__ready") return new Response("ready");
    return fetch(`${env.ORIGIN}${url.pathname}${url.search}`, request);
  },
};
