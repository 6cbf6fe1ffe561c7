/** A contract-shaped `GET /_edge/api/scaling` answer (CONTRACT.md), served by page.route until the endpoint ships. */
export function scalingFixture(now: number): unknown {
  const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
  const decisions = [
    { run_id: "r1", pool: "eu-west", at: at(50), current: 2, desired: 2, reason: "forecast within capacity", mode: "forecast_and_scale" },
    { run_id: "r2", pool: "eu-west", at: at(30), current: 2, desired: 4, reason: "forecast 410 req/s > 2 × 100 × 0.8", mode: "forecast_and_scale" },
    { run_id: "r3", pool: "eu-west", at: at(10), current: 4, desired: 5, reason: "forecast 470 req/s > 4 × 100 × 0.8", mode: "forecast_and_scale" },
  ];
  const calls = [
    { run_id: "r2", pool: "eu-west", provider: "aws", action: "SetDesiredCapacity", at: at(30), status: "ok", outcome: "ok", error_code: null, attempt: 1, latency_ms: 182 },
    { run_id: "r3", pool: "eu-west", provider: "aws", action: "SetDesiredCapacity", at: at(10), status: "failed", outcome: "failed", error_code: "Throttling", attempt: 3, latency_ms: 95 },
  ];
  return { decisions, calls };
}
