// Child process for benchmarks: starts N demo origins on 127.0.0.1 and prints their URLs
// as one JSON line; exits when its parent closes stdin or after a hard time limit.
import { startOrigin } from "../../scripts/lib/origin-server.mjs";

const n = Number(process.argv[2] ?? 3);
const limitMs = Number(process.argv[3] ?? 600_000);
const origins = [];
for (let i = 0; i < n; i++) origins.push(await startOrigin({ id: `bench-${i}` }));
process.stdout.write(JSON.stringify(origins.map((o) => ({ id: o.id, url: o.url }))) + "\n");
const stop = async () => {
  for (const o of origins) await o.close();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
setTimeout(stop, limitMs).unref();
