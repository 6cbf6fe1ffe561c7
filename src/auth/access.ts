import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from "jose";

/**
 * Cloudflare Access application tokens (`Cf-Access-Jwt-Assertion`), verified as
 * Cloudflare documents ("Validate JWTs"): RS256 against the team's keys at
 * `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`, `aud` = the application's
 * audience tag, `iss` = `https://<team>.cloudflareaccess.com`, and the usual exp/nbf.
 */
export interface AccessDeps {
  /** GETs a JWKS document (a seam: tests serve their own keys). */
  fetchJwks(url: string): Promise<JSONWebKeySet>;
  now(): number;
}

export type AccessResult = { ok: true; subject: string } | { ok: false; reason: string };

/** Keys are cached this long; an unknown `kid` refetches at most once per REFETCH_MS (key rotation). */
const JWKS_TTL_MS = 10 * 60_000;
const REFETCH_MS = 30_000;

/** `team.cloudflareaccess.com`, `https://team.cloudflareaccess.com/` → `team.cloudflareaccess.com`. */
export function teamHost(domain: string): string {
  return domain.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "").toLowerCase();
}

export class AccessVerifier {
  private keys: { set: ReturnType<typeof createLocalJWKSet>; at: number } | undefined;
  private inflight: Promise<void> | undefined;
  readonly issuer: string;
  readonly certsUrl: string;

  constructor(
    teamDomain: string,
    private readonly audience: string,
    private readonly deps: AccessDeps,
  ) {
    const host = teamHost(teamDomain);
    this.issuer = `https://${host}`;
    this.certsUrl = `https://${host}/cdn-cgi/access/certs`;
  }

  async verify(token: string): Promise<AccessResult> {
    if (!token || token.length > 8192) return { ok: false, reason: "no token" };
    try {
      const now = this.deps.now();
      if (!this.keys || now - this.keys.at > JWKS_TTL_MS) await this.load();
      try {
        return await this.check(token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey) || !this.keys || now - this.keys.at < REFETCH_MS) throw err;
        await this.load();
        return await this.check(token);
      }
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.constructor.name : "invalid" };
    }
  }

  private async check(token: string): Promise<AccessResult> {
    const set = this.keys!.set;
    const { payload } = await jwtVerify(token, set, {
      issuer: this.issuer,
      audience: this.audience,
      algorithms: ["RS256"],
      currentDate: new Date(this.deps.now()),
      clockTolerance: 60,
    });
    return { ok: true, subject: typeof payload.email === "string" ? payload.email : (payload.sub ?? "") };
  }

  private load(): Promise<void> {
    this.inflight ??= this.deps
      .fetchJwks(this.certsUrl)
      .then((jwks) => {
        this.keys = { set: createLocalJWKSet(jwks), at: this.deps.now() };
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

/** The production JWKS fetch: 3 s at most, JSON with a `keys` array or an error. */
export async function fetchJwks(url: string): Promise<JSONWebKeySet> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000), headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`JWKS ${url}: ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`JWKS ${url}: no keys`);
  return body as JSONWebKeySet;
}
