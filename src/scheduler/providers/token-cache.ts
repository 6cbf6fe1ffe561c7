/**
 * Access tokens kept in isolate scope until shortly before they expire, so a cron run
 * every minute asks GCP's or Azure's token endpoint about once an hour, not every run.
 * Keyed by the credential's identity (client email, tenant+client id) and the token
 * URL, so an endpoint override never reuses a real cloud's token or the other way round.
 * Reads the injected clock only.
 */

/** Refresh this long before `expires_in` runs out (clock skew, a slow run). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

interface Entry {
  readonly token: string;
  readonly expiresAt: number;
}

const cache = new Map<string, Entry>();

export function cachedToken(key: string, now: number): string | null {
  const e = cache.get(key);
  return e !== undefined && now < e.expiresAt - REFRESH_MARGIN_MS ? e.token : null;
}

export function storeToken(key: string, token: string, expiresInS: number, now: number): void {
  cache.set(key, { token, expiresAt: now + expiresInS * 1000 });
}

/** Forgets a token the API refused (401): the next call fetches a fresh one instead of waiting out its expiry. */
export function dropToken(token: string): void {
  for (const [k, e] of cache) if (e.token === token) cache.delete(k);
}

/** Tests only: forget every token. */
export function clearTokenCache(): void {
  cache.clear();
}
