// The demo's local cloud: starts scripts/fake-clouds.ts (the same fakes the tests use, on
// 127.0.0.1) with one Auto Scaling group per demo pool, and answers its base URL.
import { spawn } from "node:child_process";
import path from "node:path";

/** The key pair the fake AWS accepts (test/support/fake-clouds/index.ts DEMO); useless anywhere else. */
export const DEMO_AWS_KEYS = { AWS_ACCESS_KEY_ID: "AKIAFAKEDEMO00000001", AWS_SECRET_ACCESS_KEY: "fakeDemoSecretKeyForLocalFakeAwsOnly0001" };

/** Spawns the fake clouds with `seeds` (name:desired:min:max) and resolves its URL; the child joins `children`. */
export function startFakeClouds(root, children, seeds) {
  const tsx = path.join(root, "node_modules/.bin/tsx");
  const argv = [path.join(root, "scripts/fake-clouds.ts"), ...seeds.flatMap((s) => ["--seed-aws", s])];
  const child = spawn(tsx, argv, { cwd: root, stdio: ["ignore", "pipe", "inherit"], detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("the fake clouds did not start within 20 s")), 20_000);
    child.stdout.on("data", (d) => {
      buf += d;
      const line = buf.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      try {
        resolve(JSON.parse(line).url);
      } catch (e) {
        reject(e);
      }
    });
    child.once("exit", (code) => reject(new Error(`the fake clouds exited (${code})`)));
  });
}
