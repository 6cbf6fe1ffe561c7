// The demo's chaos control: a small HTTP server on 127.0.0.1 that `npm run chaos` talks to,
// found through .wrangler/demo-state.json. Commands act on the demo origins in this process:
// kill closes the origin's listener (connections refused), heal listens again and clears knobs.
import http from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** "eu-1" or "eu-west-1" → the origin; undefined when none matches. */
export function findOrigin(origins, name) {
  return origins.find((o) => o.id === name || `${o.id.split("-")[0]}-${o.id.split("-").pop()}` === name);
}

/** Parses "800ms" / "2s" → ms and "50%" / "0.5" → a rate; NaN when malformed. */
export const parseMs = (s) => (/^\d+(ms)?$/.test(s) ? Number.parseInt(s, 10) : /^\d+(\.\d+)?s$/.test(s) ? Number.parseFloat(s) * 1000 : Number.NaN);
export const parseRate = (s) => (/^\d+(\.\d+)?%$/.test(s) ? Number.parseFloat(s) / 100 : /^(0|1)?(\.\d+)?$/.test(s) && s !== "" ? Number.parseFloat(s) : Number.NaN);

function status(origins) {
  return origins.map((o) => ({ id: o.id, url: o.url, listening: o.listening !== false, knobs: o.knobs }));
}

async function apply(origins, cmd, name, arg) {
  if (cmd === "status") return { ok: true, origins: status(origins) };
  const o = findOrigin(origins, name ?? "");
  if (!o) return { ok: false, error: `no origin ${name}; try one of ${origins.map((x) => x.id).join(", ")}` };
  if (cmd === "kill") {
    await o.down();
    o.listening = false;
  } else if (cmd === "heal") {
    o.setKnobs({ latency_ms: 0, error_rate: 0, status: 0, hang_ms: 0 });
    if (o.listening === false) await o.up();
    o.listening = true;
  } else if (cmd === "slow") {
    const ms = parseMs(arg ?? "");
    if (!Number.isFinite(ms)) return { ok: false, error: `slow needs a delay like 800ms, got ${arg}` };
    o.setKnobs({ latency_ms: ms });
  } else if (cmd === "hang") {
    // Accepts requests and answers nothing (the router's per-try timeout must cut them).
    const ms = arg === undefined ? 60_000 : parseMs(arg);
    if (!(ms > 0 && ms <= 600_000)) return { ok: false, error: `hang needs a duration up to 600s like 30s, got ${arg}` };
    o.setKnobs({ hang_ms: ms });
  } else if (cmd === "errors") {
    const rate = parseRate(arg ?? "");
    if (!(rate >= 0 && rate <= 1)) return { ok: false, error: `errors needs a rate like 50%, got ${arg}` };
    o.setKnobs({ error_rate: rate });
  } else return { ok: false, error: `unknown command ${cmd} (kill | slow | hang | errors | heal | status)` };
  return { ok: true, origins: status(origins) };
}

/** Starts the control server and writes its port and the origins to `stateFile`. */
export async function startChaosControl(origins, stateFile) {
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", async () => {
      let body;
      try {
        const { cmd, origin, arg } = JSON.parse(raw || "{}");
        body = await apply(origins, String(cmd), origin === undefined ? undefined : String(origin), arg === undefined ? undefined : String(arg));
      } catch (e) {
        body = { ok: false, error: String(e) };
      }
      res.writeHead(body.ok ? 200 : 400, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, `${JSON.stringify({ control: `http://127.0.0.1:${port}`, pid: process.pid, origins: origins.map((o) => ({ id: o.id, url: o.url })) })}\n`);
  return server;
}
