import { describe, expect, it } from "vitest";
import { LIMITS, scanRequest } from "../../../src/edge/limits";
import { misconfiguredResponse, SettingsError, settings, type Env } from "../../../src/env";

/** The limit a request breaks, as the worker's scan reports it. */
const limitViolation = (href: string, headers: Headers, cap?: number) => scanRequest(href, headers, cap).violation;

describe("request limits", () => {
  const ok = "https://edge.example/x";
  it("passes an ordinary request", () => expect(limitViolation(ok, new Headers({ accept: "*/*" }))).toBeUndefined());
  it("414 for a long URL", () => expect(limitViolation(`${ok}?${"a".repeat(LIMITS.urlBytes)}`, new Headers())?.status).toBe(414));
  it("431 for one huge field or too many bytes in all", () => {
    expect(limitViolation(ok, new Headers({ "x-big": "a".repeat(LIMITS.fieldBytes + 1) }))?.status).toBe(431);
    const many = new Headers();
    for (let i = 0; i < 40; i++) many.set(`x-f${i}`, "a".repeat(1000));
    expect(limitViolation(ok, many)?.error).toBe("headers_too_large");
  });
  it("413 for a declared body above the cap", () => {
    expect(limitViolation(ok, new Headers({ "content-length": String(LIMITS.bodyBytes + 1) }))?.status).toBe(413);
    expect(limitViolation(ok, new Headers({ "content-length": "2000000" }), LIMITS.controlBodyBytes)?.status).toBe(413);
    expect(limitViolation(ok, new Headers({ "content-length": "2000000" }))).toBeUndefined();
  });
});

describe("ENVIRONMENT at start-up", () => {
  const env = (ENVIRONMENT?: string) => ({ ENVIRONMENT }) as unknown as Env;
  it("takes exactly production or development; unset is production", () => {
    expect(settings(env("production")).production).toBe(true);
    expect(settings(env("development")).production).toBe(false);
    expect(settings(env(undefined)).production).toBe(true);
  });
  it.each(["prod", "Production", "test", "dev", "staging", " production"])("refuses %j with a clear 503", async (v) => {
    let err: unknown;
    try {
      settings(env(v));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsError);
    const res = misconfiguredResponse(err as SettingsError);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("misconfigured");
    expect(body.message).toContain("ENVIRONMENT");
    expect(body.message).not.toContain(v.trim() === "" ? "\u0000" : `${v}x`);
  });
});

describe("scanRequest", () => {
  const ok = "https://edge.example/path";
  it("says whether any field is the edge's own (x-edge-*, any case)", () => {
    expect(scanRequest(ok, new Headers({ accept: "*/*", "x-edgy": "1" })).internalFields).toBe(false);
    expect(scanRequest(ok, new Headers({ accept: "*/*", "X-Edge-Pool": "evil" })).internalFields).toBe(true);
  });
  it("reports the same violation as limitViolation", () => {
    const big = new Headers({ "x-big": "a".repeat(LIMITS.fieldBytes + 1) });
    expect(scanRequest(ok, big).violation).toEqual(limitViolation(ok, big));
    expect(scanRequest(ok, new Headers()).violation).toBeUndefined();
  });
});

