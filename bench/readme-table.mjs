// Prints README's benchmark table from bench/results/latest.json, so README can be refreshed
// after `npm run bench` without retyping figures: `node bench/readme-table.mjs` prints it,
// `node bench/readme-table.mjs --write` replaces it in README.md (between the bench-table
// markers). A figure a run has not produced yet shows as "n/a".
import { readFileSync, writeFileSync } from "node:fs";

const r = JSON.parse(readFileSync(new URL("./results/latest.json", import.meta.url), "utf8"));
const f = r.figures;
const has = (k) => f[k] !== undefined && f[k].value !== null;
const v = (k) => (has(k) ? f[k].value : "n/a");
const met = (ok) => (ok ? "met" : "**not met**");
const num = (k) => (has(k) ? Number(f[k].value) : Number.NaN);
const ALGS = ["round_robin", "weighted_round_robin", "random", "least_outstanding", "p2c_ewma", "hash", "score"];
const slowest = (n) => {
  const xs = ALGS.map((a) => num(`pick_us_p50_${n}_${a}`)).filter((x) => !Number.isNaN(x));
  return xs.length ? Math.max(...xs) : "n/a";
};
const thousands = (x) => (typeof x === "number" ? x.toLocaleString("en-US") : x);

const rows = [
  ["**router vs passthrough, one shared core** (strictest; realistic config: 3 pools × 3 origins, p2c_ewma and hash + cookie, breakers, telemetry, retries; debug headers off, the default)", `**${v("router_vs_passthrough_throughput")}×**`, "passthrough worker on the same core, processes swapping roles each round", `≥ 0.85 (${met(num("router_vs_passthrough_throughput") >= 0.85)})`],
  ["the same config: both loaded at once · each alone · requests per CPU-second", `${v("router_vs_passthrough_throughput_together")} · ${v("router_vs_passthrough_throughput_alone")} · ${v("router_vs_passthrough_requests_per_cpu_second")}×`, `passthrough ${thousands(v("passthrough_rps"))} req/s alone`, ""],
  ["one shared core, clients that never return (geo memo off) · debug headers on", `${v("router_vs_passthrough_cpu_geo_memo_off")} · ${v("router_vs_passthrough_debug_headers_on")}×`, "passthrough, same core", ""],
  ["cost ladder, one worker: + geo/steering/pick · + forwarding headers · + per-try timer · whole router", `${v("ladder_steer_vs_passthrough")} · ${v("ladder_fwd_vs_passthrough")} · ${v("ladder_timer_vs_passthrough")} · ${v("ladder_full_vs_passthrough")}×`, "passthrough, same process", ""],
  ["router p99 latency, 16 connections", `${v("router_p99_ms")} ms`, (f.router_p99_ms?.baseline ?? "").replace(/^alone; /, ""), ""],
  [`pick µs p50 at 1,000 origins: ${ALGS.join(" / ")}`, ALGS.map((a) => v(`pick_us_p50_1000_${a}`)).join(" / "), "", "≤ 5"],
  ["pick µs p50, slowest algorithm, at 10 / 1,000 / 10,000 origins · hash picker build at 10,000", `${slowest(10)} / ${slowest(1000)} / ${slowest(10000)} · ${v("pick_build_ms_10000_hash")} ms`, "", "report"],
  ["isolate heap with 10,000 origins configured, after load", `${v("memory_10k_origins_mib")} MiB more`, "the 9-origin config, same bundle; Workers allow 128 MB", "< 32 MiB"],
  ["requests served with 10,000 origins in one pool", `${v("memory_10k_origins_rps_ratio")}×`, "the 9-origin config (one breaker sync per origin touched)", "report"],
  ["telemetry on vs off throughput", `${v("telemetry_on_vs_off_throughput")}×`, "telemetry off, loaded at the same time", `≥ 0.95 (${met(num("telemetry_on_vs_off_throughput") >= 0.95)})`],
  ["D1 statements · breaker DO calls (none awaited) per 1,000 requests", `${v("d1_statements_per_1000_requests")} · ${v("breaker_do_calls_per_1000_requests")}`, "one awaited call per request = 1,000", "≤ 5 · ≤ 1 per isolate per origin per second"],
  ["failover, 3 origins, one killed (refusals checked): client errors · time until none reaches it", `${v("failover_kill_client_errors")} · ${v("failover_kill_time_to_drain_ms")} ms`, "", "0 errors"],
  ["failover, one origin hangs: client errors · time until none reaches it", `${v("failover_hang_client_errors")} · ${v("failover_hang_time_to_drain_ms")} ms`, "", "0 errors"],
  ["requests to a dead origin before isolation, fleet / worst isolate (simulation) · time to global open", `${v("breaker_dead_attempts_fleet")} / ${v("breaker_dead_attempts_per_isolate_max")} · ${v("breaker_time_to_global_open")} ms`, "local-only breakers: 150 / 5, never open globally", "< 2 × staleness"],
  ["breaker report calls/s, native RPC vs itty-durable (HTTP driven) · p99", `${v("breaker_report_rpc_calls_per_s")} vs ${v("breaker_report_itty_calls_per_s")} · ${v("breaker_report_rpc_p99")} vs ${v("breaker_report_itty_p99")} ms`, "itty-durable, same run", "native wins → no itty-durable"],
  ["soak (150 s at 16 connections; one of two origins refuses, hangs, fails half its requests or slows, 2 s in every 6 s; hostile requests mixed in): idempotent GETs lost · error share · unexpected answers", `${v("soak_idempotent_lost")} · ${v("soak_error_share")} · ${v("soak_hostile_unexpected")}`, "fault-free phase, same run", "0 lost"],
  ["soak: workerd memory growth, whole soak · second half · p99 over the fault-free phase", `${v("soak_memory_growth_mib")} · ${v("soak_memory_growth_late_mib")} MiB · ${v("soak_p99_ratio")}×`, "start of the soak; its middle", "< 64 · < 16 MiB"],
  ["forecast WAPE gain, 60 min / 15 min (NASA, 5-min steps) · 15-min ceiling (an oracle that sees the neighbouring rows)", `${v("forecast_wape_gain_60m")} / ${v("forecast_wape_gain_15m")} · ${v("forecast_wape_gain_ceiling_15m")}`, "better of last value and same time yesterday", `≥ 0.25 (60 min ${met(num("forecast_wape_gain_60m") >= 0.25)}, 15 min ${met(num("forecast_wape_gain_15m") >= 0.25)})`],
  ["forecast 90 % interval coverage (60 min) · cron CPU per pool (forecast and anomaly detection, two weeks of 1-minute history, workerd)", `${v("forecast_coverage90_60m")} · ${v("forecast_cpu_ms_2w_1m")} ms`, "nominal 0.90", `0.85–0.95 · < 50 ms (${met(num("forecast_cpu_ms_2w_1m") < 50)})`],
  ["anomaly NAB score, standard / low FP / low FN (32 files)", `**${v("anomaly_nab_standard")}** / ${v("anomaly_nab_low_fp")} / ${v("anomaly_nab_low_fn")}`, `Windowed Gaussian, same run: ${v("anomaly_nab_standard_wg_baseline")}; published RCF 47.87, HTM 65.54`, `> 47.87 (${met(num("anomaly_nab_standard") > 47.87)})`],
  ["anomaly flags on series with no anomaly · CPU per pool per minute", `${v("anomaly_no_anomaly_flag_share")} of rows · ${v("anomaly_cpu_ms_per_pool")} ms`, "5 artificialNoAnomaly files", "≤ 0.001"],
  ["scaling vs reactive HPA (NASA, 14 days): under-capacity minutes · instance-minutes", `**${v("scaling_underprovisioned_minutes_vs_reactive")}** · ${v("scaling_instance_minutes_vs_reactive")}×`, "reactive planner, 5-min provisioning delay", `< 1 · ≤ 1.10 (${met(num("scaling_underprovisioned_minutes_vs_reactive") < 1 && num("scaling_instance_minutes_vs_reactive") <= 1.1)})`],
  ["fleet model, 300 locations, 16 isolates each: first platform limit at · D1 utilisation · hottest breaker object's use at 1 M req/s · simulation vs model", `${thousands(v("fleet_first_limit_rps"))} req/s · ${v("fleet_d1_utilisation_at_1m_rps")} · ${v("fleet_do_utilisation_at_1m_rps")} · ${v("fleet_sim_max_error")}`, "D1 ≈ 1,000 queries/s, 1,000 req/s per Durable Object", "report"],
];

const dates = [...new Set(Object.values(f).map((x) => (x.at ?? r.at).slice(0, 10)))].sort();
const when = dates.length > 1 ? `${dates[0]} to ${dates[dates.length - 1]}` : dates[0];
const table = [
  `Latest figures (${when}; ${r.machine}):`,
  "",
  "| figure | value | baseline in the same run | target |",
  "|---|---|---|---|",
  ...rows.map((row) => `| ${row.join(" | ")} |`),
].join("\n");

if (process.argv.includes("--write")) {
  const file = new URL("../README.md", import.meta.url);
  const text = readFileSync(file, "utf8");
  const re = /(<!-- bench-table -->\n)[\s\S]*?(<!-- \/bench-table -->)/;
  if (!re.test(text)) throw new Error("README.md has no <!-- bench-table --> … <!-- /bench-table --> markers");
  writeFileSync(file, text.replace(re, (_, a, b) => `${a}${table}\n${b}`));
} else {
  console.log(table);
}
