// Builds the dashboard (dashboard/src → dashboard/app.js + dashboard/app.css) with esbuild,
// uPlot bundled in: no CDN, the page works offline. The output is not committed; `npm start`,
// `npm test`, `npm run build`, `npm run deploy` and wrangler itself ([build] in wrangler.toml)
// run this first. Prints the whole dashboard's gzip size; `--check` fails above the budget.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, "dashboard");
export const BUDGET_GZIP_BYTES = 150 * 1024;

/** Files the worker serves (everything in dashboard/ but the sources; see dashboard/.assetsignore). */
export function servedFiles() {
  return readdirSync(dir)
    .filter((f) => !f.startsWith(".") && statSync(path.join(dir, f)).isFile())
    .map((f) => path.join(dir, f));
}

export function gzipTotal() {
  return servedFiles().reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
}

export async function buildDashboard() {
  await esbuild.build({
    entryPoints: [path.join(dir, "src/main.ts")],
    outfile: path.join(dir, "app.js"),
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    loader: { ".css": "css" },
    legalComments: "none",
    logLevel: "error",
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDashboard();
  const gz = gzipTotal();
  console.log(`dashboard: ${servedFiles().length} files, ${(gz / 1024).toFixed(1)} KB gzip (budget ${BUDGET_GZIP_BYTES / 1024} KB)`);
  if (process.argv.includes("--check") && gz > BUDGET_GZIP_BYTES) {
    console.error("dashboard over its size budget");
    process.exit(1);
  }
}
