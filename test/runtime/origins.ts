import { env } from "cloudflare:workers";

/** Client for the localhost origin manager started by global-setup.ts. */
function manager(): string {
  const url = env.ORIGINS_URL;
  if (!url) throw new Error("ORIGINS_URL is not set: global-setup.ts did not run");
  return url;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${manager()}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`origin manager ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A real HTTP origin on 127.0.0.1 (created once per id for the whole run). */
export async function origin(id: string, region = ""): Promise<string> {
  return (await call<{ url: string }>("POST", "/origins", { id, region })).url;
}
export interface Knobs {
  latency_ms?: number;
  error_rate?: number;
  status?: number;
  /** Extra response fields. */
  headers?: Record<string, string>;
}
export const setKnobs = (id: string, knobs: Knobs) =>
  call("POST", `/origins/${id}/knobs`, knobs);
export const originDown = (id: string) => call("POST", `/origins/${id}/down`);
export const originUp = (id: string) => call("POST", `/origins/${id}/up`);
export const originHits = async (id: string) => (await call<{ hits: number }>("GET", `/origins/${id}`)).hits;

/** Runs `fn` with knobs set on the given origins, and puts them back to normal after. */
export async function withKnobs<T>(ids: string[], knobs: Knobs, fn: () => Promise<T>): Promise<T> {
  for (const id of ids) await setKnobs(id, knobs);
  try {
    return await fn();
  } finally {
    for (const id of ids) await setKnobs(id, { latency_ms: 0, error_rate: 0, status: 0, headers: {} });
  }
}
