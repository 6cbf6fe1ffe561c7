import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

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
  // Faults are logged with detail and answered without it.
  console.error(JSON.stringify({ event: "unhandled_error", error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
  return c.json({ error: "internal_error", message: "internal error" }, 500);
}
