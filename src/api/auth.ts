import type { MiddlewareHandler } from "hono";
import { AccessVerifier, fetchJwks as defaultFetchJwks, type AccessDeps } from "../auth/access";
import { AuthGuardClient, type GuardNamespace } from "../auth/guard-client";
import { clientKey } from "../auth/limiter";
import type { Env } from "../env";
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

export interface AdminAuthDeps {
  fetchJwks: AccessDeps["fetchJwks"];
  now(): number;
  sleep(ms: number): Promise<void>;
  /** How long a failed attempt waits for the AuthGuard object before counting locally. */
  guardTimeoutMs: number;
}

const defaults: AdminAuthDeps = {
  fetchJwks: defaultFetchJwks,
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  guardTimeoutMs: 500,
};

/** Per env object (one per isolate): the JWKS cache and the lockout view live as long as it. */
const perEnv = new WeakMap<Env, { guard: AuthGuardClient; access: AccessVerifier | undefined }>();

function isolateState(env: Env, deps: AdminAuthDeps) {
  let s = perEnv.get(env);
  if (!s) {
    const team = env.ACCESS_TEAM_DOMAIN?.trim();
    const aud = env.ACCESS_AUD?.trim();
    s = {
      guard: new AuthGuardClient({ namespace: env.AUTH_GUARD as GuardNamespace | undefined, now: deps.now, sleep: deps.sleep, timeoutMs: deps.guardTimeoutMs }),
      access: team && aud ? new AccessVerifier(team, aud, deps) : undefined,
    };
    perEnv.set(env, s);
  }
  return s;
}

const UNAUTHORIZED = { error: "unauthorized", message: "a valid admin token or Cloudflare Access token is required" };

/**
 * Admin auth for every control-API route: `Authorization: Bearer <ADMIN_TOKEN>`, or a
 * Cloudflare Access JWT in `Cf-Access-Jwt-Assertion` when ACCESS_TEAM_DOMAIN and
 * ACCESS_AUD are set. Any failure answers the same 401 body. With neither configured every
 * request is refused (fail closed: an unset secret must not open the control plane).
 *
 * Failed attempts are limited per client address (src/auth/limiter.ts) in the AuthGuard
 * Durable Object; a locked-out address gets 429 with Retry-After, even with the right
 * token. An authorised request never waits on the object (see AuthGuardClient), and a
 * request that presents no credential at all is refused without counting.
 */
export function adminAuth(overrides: Partial<AdminAuthDeps> = {}): MiddlewareHandler<ApiEnv> {
  const deps: AdminAuthDeps = { ...defaults, ...overrides };
  return async (c, next) => {
    const { guard, access } = isolateState(c.env, deps);
    const key = clientKey(c.req.header("cf-connecting-ip"));
    const lockedMs = guard.blockedFor(key);
    if (lockedMs > 0) return tooMany(c, lockedMs);
    const jwt = c.req.header("cf-access-jwt-assertion");
    const ok =
      (await tokenMatches(bearer(c.req.header("authorization")), c.env.ADMIN_TOKEN ?? "")) ||
      (access !== undefined && jwt !== undefined && (await access.verify(jwt)).ok);
    if (ok) return next();
    // Only a presented credential is an attempt: a request with none (the dashboard's first,
    // token-less probe for Access users) is refused without counting against the address.
    if (!c.req.header("authorization") && jwt === undefined) return unauthorized(c);
    const verdict = await guard.failed(key);
    if (verdict.blocked) return tooMany(c, verdict.retryAfterMs);
    return unauthorized(c);
  };
}

function unauthorized(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): Response {
  return c.json(UNAUTHORIZED, 401, { "www-authenticate": 'Bearer realm="aether-edge"' });
}

function tooMany(c: Parameters<MiddlewareHandler<ApiEnv>>[0], ms: number): Response {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return c.json({ error: "too_many_attempts", message: `too many failed admin attempts from this address; retry in ${s} s` }, 429, { "retry-after": String(s) });
}

export const requireAdmin: MiddlewareHandler<ApiEnv> = adminAuth();
