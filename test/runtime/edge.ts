import { exports } from "cloudflare:workers";
import type { EdgeConfigInput } from "../../src/config/schema";

/** The main worker's default export; `wrangler types` would declare it, we only need fetch. */
interface LoopbackWorker {
  fetch(request: Request): Promise<Response>;
  scheduled(options: { scheduledTime?: Date; cron?: string }): Promise<{ outcome: string; noRetry: boolean } | undefined>;
}
const worker = (exports as unknown as { default: LoopbackWorker }).default;

/** Runs the worker's cron handler in the worker's own context (as the trigger would). */
export async function runScheduled(at = Date.now()): Promise<void> {
  const r = await worker.scheduled({ scheduledTime: new Date(at), cron: "* * * * *" });
  if (r && r.outcome !== "ok") throw new Error(`scheduled handler: ${r.outcome}`);
}

export const ADMIN = { authorization: "Bearer test-admin-token" };

/** A request through the worker's real entry (same isolate as the test). */
export function edge(path: string, init?: RequestInit & { geo?: string }): Promise<Response> {
  const headers = new Headers(init?.headers);
  if (init?.geo) headers.set("x-edge-geo", init.geo);
  return worker.fetch(new Request(`http://edge.test${path}`, { ...init, headers }));
}

export async function putConfig(config: EdgeConfigInput | unknown): Promise<Response> {
  return edge("/_edge/api/config", {
    method: "PUT",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: JSON.stringify(config),
  });
}

export async function putConfigOk(config: EdgeConfigInput): Promise<number> {
  const res = await putConfig(config);
  const body = (await res.json()) as { version?: number };
  if (res.status !== 200 || body.version === undefined) throw new Error(`config rejected: ${res.status} ${JSON.stringify(body)}`);
  return body.version;
}

/** The JSON the origin fixture answers with. */
export interface Echo {
  origin: string;
  region: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export const GEO = {
  DE: "country=DE; continent=EU; lat=50.11; lon=8.68; colo=FRA",
  FR: "country=FR; continent=EU; lat=48.86; lon=2.35; colo=CDG",
  US: "country=US; continent=NA; lat=40.71; lon=-74.0; colo=EWR",
  JP: "country=JP; continent=AS; lat=35.68; lon=139.69; colo=NRT",
  SG: "country=SG; continent=AS; lat=1.35; lon=103.82; colo=SIN",
  BR: "country=BR; continent=SA; lat=-23.55; lon=-46.63; colo=GRU",
} as const;
