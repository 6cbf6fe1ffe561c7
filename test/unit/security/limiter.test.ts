import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUTH_POLICY, EMPTY, type LimiterState, check, clientKey, forgetAt, recordFailure } from "../../../src/auth/limiter";

const P = { maxFailures: 3, windowMs: 1000, lockoutMs: 500, maxLockoutMs: 2000 };

function fails(n: number, at: number, s: LimiterState = EMPTY) {
  let state = s;
  let last;
  for (let i = 0; i < n; i++) ({ state, verdict: last } = recordFailure(state, at, P));
  return { state, last: last! };
}

describe("auth failure limiter", () => {
  it("locks out at the limit within a window, for lockoutMs", () => {
    const a = fails(2, 0);
    expect(a.last).toEqual({ blocked: false, remaining: 1 });
    const b = fails(1, 10, a.state);
    expect(b.last).toEqual({ blocked: true, retryAfterMs: 500 });
    expect(check(b.state, 509, P)).toEqual({ blocked: true, retryAfterMs: 1 });
    expect(check(b.state, 510, P).blocked).toBe(false);
  });
  it("failures in separate windows do not add up", () => {
    const a = fails(2, 0);
    expect(fails(2, 1000, a.state).last.blocked).toBe(false);
  });
  it("failing while locked out does not extend the lockout; each lockout doubles up to the cap", () => {
    let s = fails(3, 0).state;
    expect(recordFailure(s, 100, P).state).toBe(s);
    s = fails(3, 600, s).state;
    expect(s.blockedUntil).toBe(1600);
    s = fails(3, 1700, s).state;
    expect(s.blockedUntil).toBe(1700 + 2000);
    s = fails(3, 3800, s).state;
    expect(s.blockedUntil - 3800).toBe(2000);
  });
  it("forgets the lockout count after a quiet period", () => {
    const s = fails(3, 0).state;
    const later = forgetAt(s, P);
    expect(fails(3, later, s).state.blockedUntil).toBe(later + 500);
  });
  it("never admits more than maxFailures failures per window without a lockout (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (gaps) => {
        let s = EMPTY;
        let t = 0;
        const unblocked: number[] = [];
        for (const g of gaps) {
          t += g;
          const { state, verdict } = recordFailure(s, t, AUTH_POLICY);
          if (!verdict.blocked) unblocked.push(t);
          s = state;
        }
        for (const at of unblocked) expect(unblocked.filter((u) => u >= at && u < at + AUTH_POLICY.windowMs).length).toBeLessThanOrEqual(AUTH_POLICY.maxFailures * 2);
      }),
    );
  });
  it("keys IPv4 by address and IPv6 by /64", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(clientKey(undefined)).toBe("unknown");
    expect(clientKey("not an ip")).toBe("unknown");
  });
});
