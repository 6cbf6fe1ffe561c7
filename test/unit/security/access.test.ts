import { Hono } from "hono";
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import { timingSafeEqual } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { adminAuth } from "../../../src/api/auth";
import type { ApiEnv } from "../../../src/api/context";
import { AccessVerifier } from "../../../src/auth/access";
import type { Env } from "../../../src/env";

const TEAM = "team.cloudflareaccess.com";
const AUD = "aud-tag-123";
let jwks: JSONWebKeySet;
let sign: (claims: Record<string, unknown>, opts?: { iss?: string; aud?: string; exp?: number; kid?: string }) => Promise<string>;
let otherKey: CryptoKey;
let now = Date.UTC(2026, 0, 1);
const fetched: string[] = [];
const fetchJwks = async (url: string) => (fetched.push(url), jwks);

beforeAll(async () => {
  // workerd's crypto.subtle has timingSafeEqual; Node's has it in node:crypto.
  const subtle = crypto.subtle as unknown as { timingSafeEqual?: (a: ArrayBuffer, b: ArrayBuffer) => boolean };
  subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(new Uint8Array(a), new Uint8Array(b));
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  otherKey = (await generateKeyPair("RS256")).privateKey;
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  sign = (claims, o = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: o.kid ?? "k1" })
      .setIssuer(o.iss ?? `https://${TEAM}`)
      .setAudience(o.aud ?? AUD)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(o.exp ?? Math.floor(now / 1000) + 600)
      .sign(privateKey);
});

describe("Cloudflare Access JWT", () => {
  const verifier = () => new AccessVerifier(`https://${TEAM}/`, AUD, { fetchJwks, now: () => now });
  it("accepts a token signed by the team's key for this audience; fetches the certs once", async () => {
    fetched.length = 0;
    const v = verifier();
    expect(await v.verify(await sign({ email: "ops@example.com" }))).toEqual({ ok: true, subject: "ops@example.com" });
    expect((await v.verify(await sign({ sub: "x" }))).ok).toBe(true);
    expect(fetched).toEqual([`https://${TEAM}/cdn-cgi/access/certs`]);
  });
  it("refuses another audience, another issuer, an expired token, another key, garbage", async () => {
    const v = verifier();
    expect((await v.verify(await sign({}, { aud: "other" }))).ok).toBe(false);
    expect((await v.verify(await sign({}, { iss: "https://evil.cloudflareaccess.com" }))).ok).toBe(false);
    expect((await v.verify(await sign({}, { exp: Math.floor(now / 1000) - 3600 }))).ok).toBe(false);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(`https://${TEAM}`).setAudience(AUD).setExpirationTime("1h").sign(otherKey);
    expect((await v.verify(forged)).ok).toBe(false);
    expect((await v.verify("not.a.jwt")).ok).toBe(false);
    expect((await v.verify(await sign({}, { kid: "unknown" }))).ok).toBe(false);
  });
  it("a JWKS outage fails closed", async () => {
    const v = new AccessVerifier(TEAM, AUD, { fetchJwks: () => Promise.reject(new Error("down")), now: () => now });
    expect((await v.verify(await sign({}))).ok).toBe(false);
  });
});

describe("admin auth middleware", () => {
  const env = (extra: Partial<Env> = {}) => ({ ADMIN_TOKEN: "secret-token", ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, ...extra }) as unknown as Env;
  const app = (ns?: unknown) => {
    const a = new Hono<ApiEnv>();
    a.use("/api/*", adminAuth({ fetchJwks, now: () => now, sleep: () => new Promise(() => undefined), guardTimeoutMs: 50 }));
    a.get("/api/x", (c) => c.json({ ok: true }));
    return { a, e: env(ns === undefined ? {} : { AUTH_GUARD: ns as Env["AUTH_GUARD"] }) };
  };
  const call = (h: ReturnType<typeof app>, headers: Record<string, string>) => h.a.request("/api/x", { headers: { "cf-connecting-ip": "198.51.100.4", ...headers } }, h.e);

  it("takes the token or an Access JWT; anything else is the same 401", async () => {
    const h = app();
    expect((await call(h, { authorization: "Bearer secret-token" })).status).toBe(200);
    expect((await call(h, { "cf-access-jwt-assertion": await sign({ email: "a@b" }) })).status).toBe(200);
    const bodies = new Set<string>();
    const tries: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { "cf-access-jwt-assertion": "x.y.z" }];
    for (const hd of tries) {
      const r = await call(h, hd);
      expect(r.status).toBe(401);
      bodies.add(await r.text());
    }
    expect(bodies.size).toBe(1);
  });

  it("without the AuthGuard object, failures are limited in the isolate: 429 with Retry-After, even for the right token", async () => {
    const h = app();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await call(h, { authorization: `Bearer guess-${i}` })).status);
    expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
    expect(statuses[9]).toBe(429);
    const locked = await call(h, { authorization: "Bearer secret-token" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: string }).error).toBe("too_many_attempts");
    // Another address is unaffected.
    expect((await call(h, { authorization: "Bearer secret-token", "cf-connecting-ip": "198.51.100.5" })).status).toBe(200);
    now += 61_000;
    expect((await call(h, { authorization: "Bearer secret-token" })).status).toBe(200);
  });

  it("an authorised request never calls the object; a slow or broken object falls back to the local limiter", async () => {
    let calls = 0;
    const hanging = { idFromName: (n: string) => n, get: () => ({ fail: () => ((calls++), new Promise(() => undefined)) }) };
    const h = app(hanging);
    expect((await call(h, { authorization: "Bearer secret-token" })).status).toBe(200);
    expect(calls).toBe(0);
    const broken = app({ idFromName: (n: string) => n, get: () => ({ fail: () => Promise.reject(new Error("DO down")) }) });
    const s: number[] = [];
    for (let i = 0; i < 10; i++) s.push((await call(broken, { authorization: "Bearer bad", "cf-connecting-ip": "192.0.2.50" })).status);
    expect(s[9]).toBe(429);
  });
});
