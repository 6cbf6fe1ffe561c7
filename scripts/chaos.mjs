// `npm run chaos -- kill eu-1 | slow eu-1 800ms | hang eu-1 30s | errors eu-1 50% | heal eu-1 | status`:
// sends one command to the running `npm start` (found through .wrangler/demo-state.json, or
// DIR/demo-state.json for a start with --persist-to DIR: set PERSIST_TO=DIR here too).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [cmd = "status", origin, arg] = process.argv.slice(2);
let state;
try {
  const dir = process.env.PERSIST_TO ? path.resolve(process.env.PERSIST_TO) : path.join(root, ".wrangler");
  state = JSON.parse(readFileSync(path.join(dir, "demo-state.json"), "utf8"));
} catch {
  console.error("npm run chaos: no running demo found (start it with `npm start`)");
  process.exit(1);
}
try {
  const res = await fetch(state.control, { method: "POST", body: JSON.stringify({ cmd, origin, arg }) });
  const body = await res.json();
  if (!body.ok) {
    console.error(`npm run chaos: ${body.error}`);
    process.exit(1);
  }
  for (const o of body.origins) {
    const k = o.knobs ?? {};
    console.log(`${o.id.padEnd(12)} ${o.listening ? "up  " : "DOWN"}  latency ${k.latency_ms ?? 0} ms  errors ${Math.round((k.error_rate ?? 0) * 100)} %  ${o.url}`);
  }
} catch (e) {
  console.error(`npm run chaos: the demo is not answering at ${state.control} (${e.message}); is npm start still running?`);
  process.exit(1);
}
