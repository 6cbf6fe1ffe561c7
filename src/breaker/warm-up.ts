import type { EdgeConfig } from "../config/schema";

/** Origins per pool a cold isolate asks its breaker objects about before the first request. */
export const WARMUP_PER_POOL = 16;
/**
 * And in all. Each is one Durable Object call made by the first request, which Workers
 * count against its subrequest limit (1,000 on the paid plan); a 10,000-origin config
 * warmed whole cost a call per origin and, under workerd, minutes of the first requests.
 */
export const WARMUP_TOTAL = 128;

/**
 * The origins whose shared breaker state a cold isolate fetches before routing: the first
 * enabled origins of each pool, in config order, pools in order, capped. The rest start
 * closed (fail-open) and learn their state from their first report.
 */
export function warmUpOrigins(config: EdgeConfig, perPool = WARMUP_PER_POOL, total = WARMUP_TOTAL): string[] {
  const out: string[] = [];
  for (const p of config.pools) {
    let taken = 0;
    for (const o of p.origins) {
      if (out.length >= total) return out;
      if (taken >= perPool) break;
      if (!o.enabled) continue;
      out.push(o.id);
      taken++;
    }
  }
  return out;
}
