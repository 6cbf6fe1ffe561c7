import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseTimestampValueCsv } from "../src/scheduler/forecast/csv.js";
import { backtestReport } from "../src/scheduler/forecast/report.js";
import { parseDuration } from "../src/scheduler/forecast/resample.js";

/**
 * `npm run backtest -- FILE.csv [--step 5m] [--horizon 60m] [--anomalies]` (CONTRACT.md).
 * Thin shell: parse arguments, read the file, call the pure report, print one JSON object.
 * Any bad input: one line on stderr and exit code 2.
 */
const duration = (fallback: string) =>
  z
  .string()
  .default(fallback)
  .transform((s) => parseDuration(s))
  .refine((ms) => Number.isFinite(ms) && ms >= 1000, { message: "expected a duration such as 30s, 5m, 1h" });

const Args = z.object({
  file: z.string().min(1, "missing FILE.csv"),
  step: duration("5m"),
  horizon: duration("60m"),
  anomalies: z.boolean().default(false),
});

function parseArgs(argv: readonly string[]): unknown {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--anomalies") out.anomalies = true;
    else if (a === "--step" || a === "--horizon") out[a.slice(2)] = argv[++i] ?? "";
    else if (a.startsWith("--step=") || a.startsWith("--horizon=")) out[a.slice(2, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else if (out.file === undefined) out.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  return out;
}

function fail(message: string): never {
  process.stderr.write(`backtest: ${message}\n`);
  process.exit(2);
}

function main(): void {
  let raw: unknown;
  try {
    raw = parseArgs(process.argv.slice(2));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const args = Args.safeParse(raw);
  if (!args.success) fail(args.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.message}`).join("; "));
  if (args.data.horizon < args.data.step) fail("--horizon must be at least one --step");
  let text: string;
  try {
    text = readFileSync(args.data.file, "utf8");
  } catch (e) {
    fail(`cannot read ${args.data.file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseTimestampValueCsv(text);
  if (!parsed.ok) fail(`${args.data.file}: ${parsed.reason}`);
  const report = backtestReport(parsed.points, {
    stepMs: args.data.step,
    horizonMs: args.data.horizon,
    anomalies: args.data.anomalies,
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
