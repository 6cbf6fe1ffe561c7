import { z } from "zod";
import type { RollupQuery } from "./queries.js";

/**
 * Parses the control API's `GET …/api/metrics?from=ISO&to=ISO[&pool=ID][&origin=ID]` query
 * (CONTRACT.md), so the route stays "parse, call, answer". `from` defaults to one hour
 * before `to`, `to` to now. The span is capped so one call cannot read weeks of per-key rows.
 */
export const MAX_METRICS_SPAN_MS = 7 * 86_400_000;

const id = z.string().min(1).max(64);
const schema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  pool: id.optional(),
  origin: id.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export type MetricsQueryResult =
  | { ok: true; query: RollupQuery }
  | { ok: false; issues: { path: string; message: string }[] };

export function parseMetricsQuery(params: URLSearchParams, now: number): MetricsQueryResult {
  const raw = Object.fromEntries([...params.entries()].filter(([k]) => ["from", "to", "pool", "origin", "limit"].includes(k)));
  const r = schema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
  const to = r.data.to === undefined ? now : Date.parse(r.data.to);
  const from = r.data.from === undefined ? to - 3_600_000 : Date.parse(r.data.from);
  if (!(from < to)) return { ok: false, issues: [{ path: "from", message: "from must be before to" }] };
  if (to - from > MAX_METRICS_SPAN_MS) return { ok: false, issues: [{ path: "to", message: "span longer than 7 days" }] };
  const query: RollupQuery = { from, to };
  if (r.data.pool !== undefined) query.pool = r.data.pool;
  if (r.data.origin !== undefined) query.origin = r.data.origin;
  if (r.data.limit !== undefined) query.limit = r.data.limit;
  return { ok: true, query };
}
