/**
 * Local fakes of the five scaling APIs (AWS Auto Scaling, GCP MIG, Azure VMSS,
 * Kubernetes scale, a Standard Webhooks receiver) on ONE port, bound to 127.0.0.1 only.
 *
 *   tsx scripts/fake-clouds.ts [--port N] [--aws-key ID:SECRET] [--seed-aws name:desired:min:max ...]
 *
 * --port 0 (default) picks a free port. --aws-key replaces the demo key pair the fake AWS
 * accepts (SigV4 is verified). --seed-aws may repeat. When listening it prints exactly one
 * JSON line on stdout, {"url":"http://127.0.0.1:PORT"}, and exits cleanly on SIGINT/SIGTERM.
 * Point a pool at it with `scaling.endpoint`. Routes and control endpoints (`/_fake/…`):
 * test/support/fake-clouds/index.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseFakeCloudArgs as parseArgs, type FakeCloudArgs } from "../test/support/fake-clouds/args.js";
import { createFakeClouds } from "../test/support/fake-clouds/index.js";

async function toRequest(req: IncomingMessage, port: number): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  const body = chunks.length > 0 && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
  return new Request(`http://${req.headers.host ?? `127.0.0.1:${port}`}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, ...(body ? { body } : {}) });
}

async function send(res: ServerResponse, r: Response): Promise<void> {
  const headers: Record<string, string> = {};
  r.headers.forEach((v, k) => {
    headers[k] = v;
  });
  res.writeHead(r.status, headers);
  res.end(Buffer.from(await r.arrayBuffer()));
}

async function main(): Promise<void> {
  let args: FakeCloudArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`fake-clouds: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const clouds = await createFakeClouds({ awsKeys: args.awsKeys, awsGroups: args.groups });
  const server = createServer((req, res) => {
    const port = (server.address() as { port: number }).port;
    toRequest(req, port)
      .then((r) => clouds.handler(r))
      .then((r) => send(res, r))
      .catch((e: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: e instanceof Error ? e.message : "fake error" }));
      });
  });
  server.listen(args.port, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
