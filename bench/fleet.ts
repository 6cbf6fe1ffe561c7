/**
 * Fleet bench (issue 15). `npx tsx bench/fleet.ts`
 * The fleet model (bench/fleet/model.ts) at 10 k, 100 k and 1 M requests/s over 300
 * locations, with 1, 4 and 16 isolates per location and an elastic fleet (a location adds
 * an isolate per ELASTIC_RPS), held against the platform limits (bench/fleet/limits.ts);
 * the request rate at which each limit is reached; and the discrete-time simulation
 * (bench/fleet/sim.ts) of every scenario, whose largest relative gap from the model is
 * reported. Pure code in Node: no workerd, no D1. Paper numbers, not measurements of
 * Cloudflare: the per-isolate constants are cross-checked against the measured
 * per-1,000-request figures in bench/results/latest.json (docs/fleet.md).
 * Human table on stderr; last stdout line is the figures JSON.
 */
import { firstLimits, limitUses, PLATFORM } from "./fleet/limits.js";
import { fleetLoad, parseFleet, saturatedPerIsolate, type FleetInput } from "./fleet/model.js";
import { redesigns } from "./fleet/redesign.js";
import { mulberry32, simulate } from "./fleet/sim.js";

const RPS = [10_000, 100_000, 1_000_000];
const ISOLATES = [1, 4, 16];
/** bench/router.mjs measured 2,049 req/s for one router isolate on one core (router_rps). */
const ELASTIC_RPS = 2000;
const SIM = { durationS: 90, warmupS: 30, dtMs: 5, jitterMs: 50 };
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Scenario {
  label: string;
  base: Omit<FleetInput, "totalRps">;
}
const scenarios: Scenario[] = [
  ...ISOLATES.map((k) => ({ label: String(k), base: { isolatesPerLocation: k } })),
  { label: `1+ per ${ELASTIC_RPS / 1000}k rps`, base: { isolatesPerLocation: 1, maxRpsPerIsolate: ELASTIC_RPS } },
];

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const kRps = (x: number | null) => (x === null ? "not below 1e9" : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

export async function run() {
  const table: (string | number)[][] = [["rps", "isolates/loc", "isolates", "D1 writes/s", "D1 queries/s", "D1 use", "DO calls/s", "hottest DO/s", "DO use", "storage", "sim gap"]];
  const seed = 15;
  let maxGap = 0;
  let worst = "";
  const at1m = new Map<string, ReturnType<typeof fleetLoad>>();
  for (const rps of RPS) {
    for (const s of scenarios) {
      const f = parseFleet({ ...s.base, totalRps: rps });
      const m = fleetLoad(f);
      const uses = new Map(limitUses(f, PLATFORM, m).map((u) => [u.id, u.utilisation]));
      const sim = simulate(f, { ...SIM, random: mulberry32(seed + rps + s.label.length) });
      const gaps: [string, number, number][] = [
        ["D1 writes", m.d1.writesPerS, sim.d1WritesPerS],
        ["D1 queries", m.d1.queriesPerS, sim.d1QueriesPerS],
        ["DO calls", m.durableObjects.callsPerS, sim.doCallsPerS],
        ["hottest object", m.durableObjects.hottestObjectPerS, sim.hottestObjectPerS],
      ];
      let gap = 0;
      for (const [name, model, simulated] of gaps) {
        const g = Math.abs(simulated - model) / model;
        gap = Math.max(gap, g);
        if (g > maxGap) (maxGap = g), (worst = `${name} at ${kRps(rps)} rps, ${s.label} isolates/location`);
      }
      if (rps === 1_000_000) at1m.set(s.label, m);
      table.push([kRps(rps), s.label, m.isolates, fmt(m.d1.writesPerS), fmt(m.d1.queriesPerS), pct(uses.get("d1_queries") ?? 0), fmt(m.durableObjects.callsPerS), fmt(m.durableObjects.hottestObjectPerS), pct(uses.get("do_object") ?? 0), pct(uses.get("d1_storage") ?? 0), `${(gap * 100).toFixed(2)}%`]);
    }
  }

  table.push([]);
  table.push(["isolates/loc", "first limit", "at rps", "D1 queries at", "hottest DO at", "storage use"]);
  const firsts = new Map<string, ReturnType<typeof firstLimits>>();
  for (const s of scenarios) {
    const r = firstLimits(s.base);
    firsts.set(s.label, r);
    const at = (id: string) => kRps(r.all.find((x) => x.id === id)?.rps ?? null);
    const storage = limitUses(parseFleet({ ...s.base, totalRps: 1e6 })).find((u) => u.id === "d1_storage")?.utilisation ?? 0;
    table.push([s.label, r.first?.id ?? "none", kRps(r.first?.rps ?? null), at("d1_queries"), at("do_object"), pct(storage)]);
  }

  table.push([]);
  table.push(["change (1 M rps, 16/loc, all busy)", "", "", "D1 queries/s", "D1 use", "hottest DO/s", "DO use", "new part's load"]);
  const changes = redesigns(parseFleet({ totalRps: 1e6, isolatesPerLocation: 16 }));
  for (const c of changes) {
    const extra = c.extra ? `${c.extra.label} ${fmt(c.extra.value)} of ${fmt(c.extra.limit)}` : "";
    table.push([c.name, "", "", fmt(c.d1QueriesPerS), pct(c.d1QueriesPerS / (1000 / PLATFORM.d1QueryMs)), fmt(c.hottestObjectPerS), pct(c.hottestObjectPerS / PLATFORM.doRequestsPerObjectPerS), extra]);
  }
  const hub = changes.find((c) => c.name.startsWith("colo hub"));

  const sat = saturatedPerIsolate(parseFleet({ totalRps: 1, isolatesPerLocation: 1 }).design);
  const d1Ceiling = 1000 / PLATFORM.d1QueryMs / sat.d1QueriesPerS;
  const doCeiling = PLATFORM.doRequestsPerObjectPerS / sat.reportsPerOriginPerS;
  log(`Fleet model: 300 locations (Zipf 1), 3 pools × 3 origins, 3 countries a location; flush 10 s, refresh 5 s, staleness 1 s; sim ${SIM.durationS} s at ${SIM.dtMs} ms steps, seed ${seed}`);
  log(`Every busy isolate costs ${sat.d1QueriesPerS.toFixed(2)} D1 queries/s and ${sat.reportsPerOriginPerS} report/s to each origin it serves: D1 saturates at ${Math.round(d1Ceiling)} busy isolates, an origin's object at ${Math.round(doCeiling)} busy isolates sending it traffic`);
  log(`Largest model/simulation gap: ${(maxGap * 100).toFixed(2)}% (${worst})`);

  const k16 = at1m.get("16");
  const f16 = parseFleet({ totalRps: 1e6, isolatesPerLocation: 16 });
  const u16 = new Map(limitUses(f16).map((u) => [u.id, u]));
  const first16 = firsts.get("16")?.first ?? null;
  const firstElastic = firsts.get(scenarios[3]?.label ?? "")?.first ?? null;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const d1Limit = `D1 ~${1000 / PLATFORM.d1QueryMs} queries/s per database (single-threaded, ${PLATFORM.d1QueryMs} ms a query; D1 limits page)`;
  const doLimit = `${PLATFORM.doRequestsPerObjectPerS} requests/s soft limit per Durable Object (DO limits page)`;
  const figures = {
    fleet_first_limit_rps: { value: Math.round(first16?.rps ?? -1), unit: "req/s", baseline: `${first16?.id ?? "none"} reached first, 16 isolates per location × 300: ${d1Limit}`, target: "report" },
    fleet_first_limit_rps_elastic: { value: Math.round(firstElastic?.rps ?? -1), unit: "req/s", baseline: `${firstElastic?.id ?? "none"} reached first, one isolate per ${ELASTIC_RPS} rps at each location (at least one)`, target: "report" },
    fleet_d1_writes_per_s_at_1m_rps: { value: r3(k16?.d1.writesPerS ?? -1), unit: "statements/s", baseline: `16 isolates/location; telemetry flush + cron writes, against ${d1Limit}`, target: "< 1000" },
    fleet_d1_queries_per_s_at_1m_rps: { value: r3(k16?.d1.queriesPerS ?? -1), unit: "queries/s", baseline: `16 isolates/location; reads (config + health checks) + writes, against ${d1Limit}`, target: "< 1000" },
    fleet_d1_utilisation_at_1m_rps: { value: r3(u16.get("d1_queries")?.utilisation ?? -1), unit: "fraction of limit", baseline: d1Limit, target: "< 1" },
    fleet_do_calls_per_object_per_s_at_1m_rps: { value: r3(k16?.durableObjects.hottestObjectPerS ?? -1), unit: "requests/s", baseline: `hottest breaker object, 16 isolates/location, against ${doLimit}`, target: "< 1000" },
    fleet_do_utilisation_at_1m_rps: { value: r3(u16.get("do_object")?.utilisation ?? -1), unit: "fraction of limit", baseline: doLimit, target: "< 1" },
    fleet_d1_busy_isolate_ceiling: { value: Math.round(d1Ceiling), unit: "isolates", baseline: `busy isolates one D1 database serves: ${sat.d1QueriesPerS.toFixed(2)} queries/s each against ${d1Limit}`, target: "report" },
    fleet_d1_storage_utilisation: { value: r3(u16.get("d1_storage")?.utilisation ?? -1), unit: "fraction of limit", baseline: `rollup rows kept (7 days of minutes, 90 of hours) × ${PLATFORM.rollupRowBytes} B against the 10 GB D1 database limit`, target: "< 1" },
    fleet_colo_hub_d1_utilisation_at_1m_rps: { value: r3((hub?.d1QueriesPerS ?? -1) / (1000 / PLATFORM.d1QueryMs)), unit: "fraction of limit", baseline: `a Durable Object per location batching its isolates' D1 and breaker traffic (bench/fleet/redesign.ts), 16 isolates/location; today ${r3(u16.get("d1_queries")?.utilisation ?? -1)}`, target: "< 1" },
    fleet_sim_max_error: { value: r3(maxGap), unit: "relative error", baseline: `closed-form model vs discrete-time simulation, ${RPS.length * scenarios.length} scenarios' D1 writes, D1 queries, DO calls and hottest object; worst ${worst}`, target: "< 0.05" },
  };
  return { table, figures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (out) => {
      const widths: number[] = [];
      for (const row of out.table) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.min(String(c).length + 2, i === 0 ? 36 : 40))));
      for (const row of out.table) log(row.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(""));
      process.stdout.write(`${JSON.stringify({ figures: out.figures })}\n`);
    },
    (e: unknown) => {
      log(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    },
  );
}
