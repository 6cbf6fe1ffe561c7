import type { ScalingProvider } from "../../config/schema.js";
import type { CallOutcome, CallRecord, ProviderDeps, ProviderError } from "./types.js";

/**
 * One cloud action with retries inside the run's deadline: capped exponential backoff
 * with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015:
 * sleep = random(0, min(cap, base·2^n))), a 429/503 `Retry-After` honoured as given, and
 * a per-attempt timeout. Every attempt becomes a CallRecord; a secret never does
 * (messages are scrubbed of every secret value before they are kept).
 */

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 250, capMs: 8_000, attemptTimeoutMs: 10_000 };

/** What a provider makes of one HTTP answer. `retryable` overrides the shared rule. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly retryable?: boolean };

export type CallResult<T> =
  | { readonly ok: true; readonly value: T; readonly calls: CallRecord[] }
  | { readonly ok: false; readonly error: ProviderError; readonly calls: CallRecord[] };

/**
 * Error codes the clouds document as transient although their status may say otherwise:
 * AWS sends Throttling as HTTP 400; GCP sends rateLimitExceeded as 403 (REFERENCE.md).
 */
const RETRYABLE_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ScalingActivityInProgress",
  "ResourceContention",
  "rateLimitExceeded",
  "userRateLimitExceeded",
  "resourceNotReady",
  "TooManyRequests",
  "Conflict",
]);

/** Retryable: throttling and contention codes, 429, 409, 5xx. Final: validation, auth (401/403), 404, 412, other 4xx. */
export function isRetryable(status: number, code: string): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (status === 412) return false;
  return status === 429 || status === 409 || status >= 500;
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1)));
}

/** Removes every secret value from a message and trims it. */
export function scrub(message: string, secrets: ProviderDeps["secrets"]): string {
  let out = message;
  for (const v of Object.values(secrets)) if (v !== undefined && v.length >= 4) out = out.split(v).join("[redacted]");
  return out.replace(/Bearer\s+\S+/gi, "Bearer [redacted]").slice(0, 200);
}

export interface CallSpec<T> {
  readonly provider: ScalingProvider;
  readonly action: string;
  /** Sends one attempt; must pass `signal` on to fetch. */
  readonly send: (signal: AbortSignal) => Promise<Response>;
  readonly parse: (res: Response) => Promise<Parsed<T>>;
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
}

export async function callWithRetry<T>(spec: CallSpec<T>, deps: ProviderDeps, policy: RetryPolicy = DEFAULT_RETRY): Promise<CallResult<T>> {
  const calls: CallRecord[] = [];
  const record = (attempt: number, at: number, status: number | null, outcome: CallOutcome, errorCode: string | null, message?: string): void => {
    const base = { provider: spec.provider, action: spec.action, at, status, outcome, errorCode, attempt, latencyMs: Math.max(0, deps.now() - at) };
    calls.push(message === undefined ? base : { ...base, message: scrub(message, deps.secrets) });
  };
  let last: ProviderError = { code: "deadline", message: "no time left in the run", retryable: true };
  const outOfTime = (attempt: number): CallResult<T> => {
    record(attempt, deps.now(), null, "deadline", last.code === "deadline" ? "deadline" : last.code, "the run's deadline left no time for another attempt");
    return { ok: false, error: last, calls };
  };

  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const remaining = deps.deadline - deps.now();
    if (remaining <= 0) return outOfTime(attempt);
    const at = deps.now();
    let res: Response;
    try {
      res = await spec.send(AbortSignal.timeout(Math.min(policy.attemptTimeoutMs, remaining)));
    } catch (e) {
      const timeout = isTimeout(e);
      const msg = e instanceof Error ? e.message : String(e);
      last = { code: timeout ? "timeout" : "network_error", message: scrub(msg, deps.secrets), retryable: true };
      record(attempt, at, null, timeout ? "timeout" : "retryable_error", last.code, msg);
      if (attempt === policy.maxAttempts) break;
      if (!(await pause(attempt, null))) return outOfTime(attempt + 1);
      continue;
    }
    let parsed: Parsed<T>;
    try {
      parsed = await spec.parse(res);
    } catch (e) {
      parsed = { ok: false, code: "bad_response", message: e instanceof Error ? e.message : String(e), retryable: res.status >= 500 };
    }
    if (parsed.ok) {
      record(attempt, at, res.status, "ok", null);
      return { ok: true, value: parsed.value, calls };
    }
    const retryable = parsed.retryable ?? isRetryable(res.status, parsed.code);
    last = { code: parsed.code, message: scrub(parsed.message, deps.secrets), retryable };
    record(attempt, at, res.status, retryable ? "retryable_error" : "final_error", parsed.code, parsed.message);
    if (!retryable) return { ok: false, error: last, calls };
    if (attempt === policy.maxAttempts) break;
    if (!(await pause(attempt, retryAfterMs(res.headers.get("retry-after"), deps.now())))) return outOfTime(attempt + 1);
  }
  return { ok: false, error: last, calls };

  /** Sleeps before the next attempt unless that would pass the deadline (then false). */
  async function pause(attempt: number, after: number | null): Promise<boolean> {
    const delay = after ?? backoffMs(attempt, policy, deps.random);
    if (deps.now() + delay >= deps.deadline) return false;
    await deps.sleep(delay);
    return true;
  }
}

/** The result for a pool whose provider secret is absent: one record, nothing sent. */
export function missingSecret(provider: ScalingProvider, action: string, names: readonly string[], deps: ProviderDeps): CallResult<never> {
  const message = `secret ${names.join(", ")} is not set`;
  const at = deps.now();
  return {
    ok: false,
    error: { code: "missing_secret", message, retryable: false },
    calls: [{ provider, action, at, status: null, outcome: "missing_secret", errorCode: "missing_secret", attempt: 1, latencyMs: 0, message }],
  };
}

/** A target that fails its provider's schema (the config should have caught it): final, nothing sent. */
export function invalidTarget(message: string): CallResult<never> {
  return { ok: false, error: { code: "invalid_target", message: message.slice(0, 200), retryable: false }, calls: [] };
}

/** CONTRACT.md: the endpoint override replaces scheme, host and port only; path and query stay. */
export function withEndpoint(url: string, endpoint: string | undefined): string {
  if (endpoint === undefined) return url;
  const u = new URL(url);
  const e = new URL(endpoint);
  u.protocol = e.protocol;
  u.host = e.host;
  return u.toString();
}

/** A stable id from the parts (SHA-256, UUID-shaped), so a retried write reuses its request id. */
export async function stableUuid(...parts: readonly string[]): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\u0000"))));
  const b = digest.slice(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50; // version 5 layout (name-based, SHA hash), RFC 9562 §5.5
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
