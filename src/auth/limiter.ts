/**
 * Failed-auth limiter for one client key: a fixed window of `windowMs` admits
 * `maxFailures` failures; the one that reaches the limit locks the key out for
 * `lockoutMs`, doubling with each lockout up to `maxLockoutMs` (the capped, growing
 * ejection time of STYLE.md rule 4, applied to guessers). Pure: the clock is the caller's.
 */
export interface LimiterPolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  maxLockoutMs: number;
}

/** Ten wrong tokens a minute per address, then 1 min, 2 min, ... up to 1 h. */
export const AUTH_POLICY: LimiterPolicy = { maxFailures: 10, windowMs: 60_000, lockoutMs: 60_000, maxLockoutMs: 3_600_000 };

export interface LimiterState {
  windowStart: number;
  failures: number;
  blockedUntil: number;
  lockouts: number;
}

export type Verdict = { blocked: false; remaining: number } | { blocked: true; retryAfterMs: number };

export const EMPTY: LimiterState = { windowStart: 0, failures: 0, blockedUntil: 0, lockouts: 0 };

/** Whether the key is locked out at `now` (no state change). */
export function check(state: LimiterState, now: number, policy: LimiterPolicy = AUTH_POLICY): Verdict {
  if (now < state.blockedUntil) return { blocked: true, retryAfterMs: state.blockedUntil - now };
  const inWindow = now - state.windowStart < policy.windowMs;
  return { blocked: false, remaining: policy.maxFailures - (inWindow ? state.failures : 0) };
}

/** Records one failed attempt at `now`. A failure while locked out does not extend the lockout. */
export function recordFailure(state: LimiterState, now: number, policy: LimiterPolicy = AUTH_POLICY): { state: LimiterState; verdict: Verdict } {
  if (now < state.blockedUntil) return { state, verdict: check(state, now, policy) };
  const lockouts = now >= forgetAt(state, policy) ? 0 : state.lockouts;
  const fresh = now - state.windowStart >= policy.windowMs;
  const failures = (fresh ? 0 : state.failures) + 1;
  const windowStart = fresh ? now : state.windowStart;
  if (failures < policy.maxFailures) {
    const next = { windowStart, failures, blockedUntil: state.blockedUntil, lockouts };
    return { state: next, verdict: { blocked: false, remaining: policy.maxFailures - failures } };
  }
  const lockMs = Math.min(policy.maxLockoutMs, policy.lockoutMs * 2 ** lockouts);
  const next = { windowStart: now, failures: 0, blockedUntil: now + lockMs, lockouts: lockouts + 1 };
  return { state: next, verdict: { blocked: true, retryAfterMs: lockMs } };
}

/** After this, the state says nothing a fresh one would not (the lockout count decays too). */
export function forgetAt(state: LimiterState, policy: LimiterPolicy = AUTH_POLICY): number {
  return Math.max(state.blockedUntil, state.windowStart + policy.windowMs) + (state.lockouts > 0 ? policy.maxLockoutMs : 0);
}

/**
 * The key for a client address: an IPv4 address as is, an IPv6 address by its /64 (one
 * subscriber commonly holds a whole /64, so per-address limits would be free to evade).
 */
export function clientKey(ip: string | undefined | null): string {
  if (!ip) return "unknown";
  const a = ip.trim().toLowerCase();
  if (!a.includes(":")) return /^[\d.]{7,15}$/.test(a) ? a : "unknown";
  const [head = "", tail] = a.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...new Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return "unknown";
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
