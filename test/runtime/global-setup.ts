import http from "node:http";
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM helper shared with `npm start` and the benchmarks
import { startOrigin } from "../../scripts/lib/origin-server.mjs";

interface Origin {
  id: string;
  port: number;
  url: string;
  setKnobs(k: Record<string, unknown>): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  readonly hits: number;
}

/**
 * Starts, in Node, a manager that the tests (inside workerd) drive over HTTP to create
 * real localhost origins and to fail them: POST /origins {id} → {url}; POST
 * /origins/:id/knobs; POST /origins/:id/down|up; GET /origins/:id → {hits}.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const origins = new Map<string, Origin>();
  const manager = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      void route(req.method ?? "GET", req.url ?? "/", raw).then(
        ([status, body]) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: String(err) }));
        },
      );
    });
  });
  async function route(method: string, path: string, raw: string): Promise<[number, unknown]> {
    const parts = path.split("/").filter(Boolean);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (method === "POST" && parts.length === 1 && parts[0] === "origins") {
      const id = String(body.id);
      let o = origins.get(id);
      if (!o) {
        o = (await startOrigin({ id, region: String(body.region ?? "") })) as Origin;
        origins.set(id, o);
      }
      return [200, { id, url: o.url }];
    }
    const o = origins.get(parts[1] ?? "");
    if (!o) return [404, { error: "no such origin" }];
    if (method === "GET" && parts.length === 2) return [200, { id: o.id, hits: o.hits, url: o.url }];
    if (method === "POST" && parts[2] === "knobs") {
      o.setKnobs(body as Record<string, unknown>);
      return [200, { ok: true }];
    }
    if (method === "POST" && parts[2] === "down") {
      await o.down();
      return [200, { ok: true }];
    }
    if (method === "POST" && parts[2] === "up") {
      await o.up();
      return [200, { ok: true }];
    }
    return [404, { error: "no such route" }];
  }
  await new Promise<void>((r) => manager.listen(0, "127.0.0.1", () => r()));
  const address = manager.address();
  const port = typeof address === "object" && address ? address.port : 0;
  project.provide("originsUrl", `http://127.0.0.1:${port}`);
  return async () => {
    for (const o of origins.values()) await o.close();
    await new Promise<void>((r) => manager.close(() => r()));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    originsUrl: string;
  }
}
