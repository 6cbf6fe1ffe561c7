import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "./context";

const encoder = new TextEncoder();

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(s));
}

/**
 * Constant-time token check: both sides are hashed first so the comparison runs over equal
 * lengths whatever was sent, and a missing header takes the same path as a wrong one.
 */
export async function tokenMatches(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b) && expected.length > 0;
}

function bearer(header: string | undefined): string {
  if (!header) return "";
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1] ?? "";
}

/**
 * Admin auth for the control API: `Authorization: Bearer <ADMIN_TOKEN>`. Any failure
 * answers the same 401 body. With no ADMIN_TOKEN configured every request is refused
 * (fail closed: an unset secret must not open the control plane).
 */
export const requireAdmin: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN ?? "";
  const ok = await tokenMatches(bearer(c.req.header("authorization")), expected);
  if (!ok) {
    return c.json({ error: "unauthorized", message: "a valid admin token is required" }, 401, {
      "www-authenticate": 'Bearer realm="aether-edge"',
    });
  }
  await next();
};
