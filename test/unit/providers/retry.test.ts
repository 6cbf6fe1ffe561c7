import { describe, expect, it } from "vitest";
import { backoffMs, callWithRetry, DEFAULT_RETRY, isRetryable, retryAfterMs, scrub, stableUuid, withEndpoint } from "../../../src/scheduler/providers/retry.js";
import { xmlText } from "../../../src/scheduler/providers/xml.js";
import { testDeps } from "../../support/fake-clouds/deps.js";

describe("retry rules", () => {
  it("classifies: throttling/contention codes, 429, 409, 5xx retryable; 400/401/403/404/412 final", () => {
    expect(isRetryable(400, "Throttling")).toBe(true);
    expect(isRetryable(403, "rateLimitExceeded")).toBe(true);
    expect(isRetryable(500, "ResourceContention")).toBe(true);
    expect(isRetryable(429, "x")).toBe(true);
    expect(isRetryable(503, "x")).toBe(true);
    for (const s of [400, 401, 403, 404, 412, 422]) expect(isRetryable(s, "ValidationError")).toBe(false);
    expect(isRetryable(412, "conditionNotMet")).toBe(false);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs(new Date(now + 4000).toUTCString(), now)).toBe(4000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it("full jitter stays under the capped exponential", () => {
    for (let a = 1; a <= 12; a++) {
      expect(backoffMs(a, DEFAULT_RETRY, () => 0.999999)).toBeLessThan(Math.min(DEFAULT_RETRY.capMs, DEFAULT_RETRY.baseMs * 2 ** (a - 1)));
      expect(backoffMs(a, DEFAULT_RETRY, () => 0)).toBe(0);
    }
  });

  it("stops after maxAttempts with the last code, and never sleeps past the deadline", async () => {
    const deps = testDeps(async () => new Response("", { status: 503 }), {}, { budgetMs: 10 * 60_000 });
    const r = await callWithRetry({ provider: "aws", action: "X", send: () => deps.fetch("http://h/"), parse: async (res) => ({ ok: false, code: `http_${res.status}`, message: "down" }) }, deps);
    expect(r.ok).toBe(false);
    expect(r.calls).toHaveLength(DEFAULT_RETRY.maxAttempts);
    expect(deps.sleeps).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    const late = testDeps(async () => new Response("", { status: 429, headers: { "retry-after": "120" } }), {}, { budgetMs: 60_000 });
    const l = await callWithRetry({ provider: "aws", action: "X", send: () => late.fetch("http://h/"), parse: async () => ({ ok: false, code: "TooManyRequests", message: "slow down" }) }, late);
    expect(late.sleeps).toEqual([]);
    expect(l.calls.map((c) => c.outcome)).toEqual(["retryable_error", "deadline"]);
    expect(l.calls[1]?.errorCode).toBe("TooManyRequests");
  });

  it("scrubs secret values and bearer tokens from messages", () => {
    expect(scrub("bad key abcdSECRET here, Bearer ya29.tok", { AWS_SECRET_ACCESS_KEY: "abcdSECRET" })).toBe("bad key [redacted] here, Bearer [redacted]");
  });

  it("endpoint override swaps scheme, host and port only", () => {
    expect(withEndpoint("https://autoscaling.eu-west-1.amazonaws.com/", "http://127.0.0.1:8790")).toBe("http://127.0.0.1:8790/");
    expect(withEndpoint("https://x.example.com/a/b?c=1", "http://127.0.0.1:9/ignored")).toBe("http://127.0.0.1:9/a/b?c=1");
    expect(withEndpoint("https://x.example.com/a", undefined)).toBe("https://x.example.com/a");
  });

  it("stable request ids: same parts, same id; other parts, other id", async () => {
    expect(await stableUuid("r", "p", "5")).toBe(await stableUuid("r", "p", "5"));
    expect(await stableUuid("r", "p", "5")).not.toBe(await stableUuid("r", "p", "6"));
  });

  it("the XML reader decodes entities and expands nothing else", () => {
    expect(xmlText("<a:Error><Code>Throttling</Code><Message>Rate &amp; &lt;x&gt; &#65;</Message></a:Error>", "Message")).toBe("Rate & <x> A");
    expect(xmlText('<!DOCTYPE x [<!ENTITY e "boom">]><Message>&e;</Message>', "Message")).toBe("&e;");
  });
});
