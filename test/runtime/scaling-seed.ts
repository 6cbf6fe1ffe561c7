import { env } from "cloudflare:workers";

export const MIN = 60_000;

/**
 * Writes `minutes` per-minute rollup rows for `pool`, ending with the minute of `now`, as a
 * live edge's flushes would (the series reads the current minute too: left empty, it would
 * count as zero traffic and pull the newest 5-minute step down).
 */
export async function seedRollups(pool: string, now: number, minutes: number, value: (t: number) => number): Promise<void> {
  const start = now - (minutes - 1) * MIN - (now % MIN);
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < minutes; i += 16) {
    const rows = Array.from({ length: Math.min(16, minutes - i) }, (_, k) => start + (i + k) * MIN);
    stmts.push(
      env.DB.prepare(`INSERT INTO rollup_minute (minute, pool, origin, country, colo, requests) VALUES ${rows.map(() => "(?, ?, 'o', 'US', 'EWR', ?)").join(", ")}`).bind(
        ...rows.flatMap((t) => [t, pool, Math.round(value(t))]),
      ),
    );
  }
  await env.DB.batch(stmts);
}

/** A pool with a scaling block (AWS target), one unreachable origin: only its rollups matter here. */
export function scaledPool(id: string, scaling: Record<string, unknown>) {
  return {
    id,
    origins: [{ id: `${id}-1`, url: "http://127.0.0.1:9" }],
    scaling: { provider: "aws", mode: "forecast_and_scale", target: { region: "eu-west-1", group: `asg-${id}` }, min: 1, max: 20, rps_per_instance: 50, headroom: 0.2, ...scaling },
  };
}
