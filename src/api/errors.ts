import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { StoreUnavailable } from "../db/guard";

/** An expected failure with a status and a stable code; app.onError turns it into JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function apiErrorResponse(c: Context, err: unknown): Response {
  if (err instanceof ApiError) return c.json({ error: err.code, message: err.message, ...err.extra }, err.status);
  // D1 down or slow (src/db/guard.ts): the control plane fails closed with a clear 503; the
  // data plane keeps routing on its cached config meanwhile.
  if (err instanceof StoreUnavailable || (err instanceof Error && err.cause instanceof StoreUnavailable)) {
    console.error(JSON.stringify({ event: "store_unavailable", error: err.message }));
    return c.json({ error: "store_unavailable", message: "the config store (D1) is unavailable; routing continues on the cached config" }, 503, { "retry-after": "5" });
  }
  // Faults are logged with detail and answered without it.
  console.error(JSON.stringify({ event: "unhandled_error", error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
  return c.json({ error: "internal_error", message: "internal error" }, 500);
}
