// Prints README's benchmark table from bench/results/latest.json, so the README can be
// refreshed after `npm run bench` without retyping figures: node bench/readme-table.mjs
import { readFileSync } from "node:fs";

const r = JSON.parse(readFileSync(new URL("./results/latest.json", import.meta.url), "utf8"));
const f = r.figures;
const v = (k) => (f[k] ? f[k].value : "n/a");
const b = (k) => (f[k] ? f[k].baseline : "");
const met = (ok) => (ok ? "met" : "**not met**");
const rows = [
  ["pick µs p50 at 1,000 origins: round_robin / weighted_rr / random", `${v("pick_us_p50_1000_round_robin")} / ${v("pick_us_p50_1000_weighted_round_robin")} / ${v("pick_us_p50_1000_random")}`, "", "≤ 5"],
  ["pick µs p50 at 1,000: least_outstanding / p2c_ewma / hash / score", `${v("pick_us_p50_1000_least_outstanding")} / ${v("pick_us_p50_1000_p2c_ewma")} / ${v("pick_us_p50_1000_hash")} / ${v("pick_us_p50_1000_score")}`, "", "≤ 5"],
  ["router vs passthrough throughput (all features, 16 clients each, both loaded at once)", `**${v("router_vs_passthrough_throughput")}×**`, b("router_vs_passthrough_throughput"), `≥ 0.85 (${met(v("router_vs_passthrough_throughput") >= 0.85)})`],
  ["the same, each side alone (alternating rounds)", `${v("router_vs_passthrough_throughput_alone")}× (${v("router_rps")} vs ${v("passthrough_rps")} req/s)`, b("router_vs_passthrough_throughput_alone"), ""],
  ["requests per CPU-second, router over passthrough (the loaded-at-once rounds)", `${v("router_vs_passthrough_requests_per_cpu_second")}×`, b("router_vs_passthrough_requests_per_cpu_second"), ""],
  ["router vs passthrough on one shared core, two processes swapping roles (CPU per request, inverted): as deployed · geo memo off", `**${v("router_vs_passthrough_cpu_same_core")}×** · ${v("router_vs_passthrough_cpu_geo_memo_off")}×`, b("router_vs_passthrough_cpu_same_core"), ""],
  ["cost ladder, one worker: + geo/steering/pick · + forwarding headers · + per-try timer · whole router", `${v("ladder_steer_vs_passthrough")} · ${v("ladder_fwd_vs_passthrough")} · ${v("ladder_timer_vs_passthrough")} · **${v("ladder_full_vs_passthrough")}**×`, b("ladder_full_vs_passthrough"), ""],
  ["router p99 latency", `${v("router_p99_ms")} ms`, b("router_p99_ms"), ""],
  ["telemetry on vs off throughput", `${v("telemetry_on_vs_off_throughput")}×`, b("telemetry_on_vs_off_throughput"), `≥ 0.95 (${met(v("telemetry_on_vs_off_throughput") >= 0.95)})`],
  ["D1 statements per 1,000 proxied requests", v("d1_statements_per_1000_requests"), b("d1_statements_per_1000_requests"), "≤ 5"],
  ["breaker Durable Object calls per 1,000 requests (router run)", `${v("breaker_do_calls_per_1000_requests")}, none awaited`, "one awaited call per request = 1,000", "≤ 1 per isolate per origin per interval"],
  ["client errors while one of two origins is dead for 3 s (6 s of GETs, workerd)", v("failover_client_errors"), b("failover_client_errors"), "0"],
  ["requests to a dead origin before isolation, fleet / worst isolate (simulation)", `${v("breaker_dead_attempts_fleet")} / ${v("breaker_dead_attempts_per_isolate_max")}`, "local-only breakers: 150 / 5", ""],
  ["time to global open (simulation, 3 colos × 10 isolates)", `${v("breaker_time_to_global_open")} ms`, "local-only: never", "< 2 × staleness"],
  ["native RPC vs itty-durable, breaker report calls/s (HTTP driven)", `${v("breaker_report_rpc_calls_per_s")} vs ${v("breaker_report_itty_calls_per_s")}`, `p50 ${v("breaker_report_rpc_p50")} vs ${v("breaker_report_itty_p50")} ms, p99 ${v("breaker_report_rpc_p99")} vs ${v("breaker_report_itty_p99")} ms`, "native wins → no itty-durable"],
  ["native RPC vs itty-durable, inside the worker", `${v("breaker_report_rpc_in_worker_us")} µs/call, ${v("breaker_report_rpc_in_worker_c16")} calls/s at 16`, b("breaker_report_rpc_in_worker_us"), ""],
  ["telemetry `record()`", `${v("telemetry_record_ns")} ns`, b("telemetry_record_ns"), ""],
  ["forecast WAPE gain, 60 min / 15 min (NASA, 5-min steps)", `${v("forecast_wape_gain_60m")} / ${v("forecast_wape_gain_15m")}`, "better of last value and same time yesterday", `≥ 0.25 (60 min ${met(v("forecast_wape_gain_60m") >= 0.25)}, 15 min ${met(v("forecast_wape_gain_15m") >= 0.25)})`],
  ["forecast 90 % interval coverage (60 min)", v("forecast_coverage90_60m"), "nominal 0.90", "0.85–0.95"],
  ["forecast CPU, one pool, two weeks of 1-minute history", `${v("forecast_cpu_ms_2w_1m")} ms`, "", "< 50 ms"],
];
console.log(`Latest run (${r.at.slice(0, 10)}, ${r.machine}):\n`);
console.log("| figure | value | baseline in the same run | target |\n|---|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
