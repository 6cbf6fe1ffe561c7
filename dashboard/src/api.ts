/**
 * The control API client. The admin token lives in sessionStorage (this tab only, never in a
 * URL). Without a stored token requests go out bare: behind Cloudflare Access the browser's
 * Access cookie makes Cloudflare add `Cf-Access-Jwt-Assertion`, which the worker accepts, so
 * Access users are never asked for a token.
 */

const TOKEN_KEY = "aether-edge-token";
export const API_BASE = new URL("../api/", location.href);

export class Unauthorized extends Error {}
export class NotFound extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
/** Network failure or a 5xx: the API is unreachable or broken; the page keeps its last data. */
export class Unreachable extends Error {}
export class Refused extends Error {}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function call<T>(method: "GET" | "POST", path: string): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, API_BASE), { method, headers, credentials: "same-origin", cache: "no-store" });
  } catch (err) {
    throw new Unreachable(`the control API did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
  if (res.status === 401) throw new Unauthorized("not signed in");
  const body = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
  if (res.status === 404) throw new NotFound(body?.error ?? "not_found", body?.message ?? `${path}: not found`);
  if (res.status >= 500) throw new Unreachable(`${path}: ${res.status} ${body?.message ?? ""}`.trim());
  if (!res.ok) throw new Refused(`${path}: ${res.status} ${body?.message ?? ""}`.trim());
  return body as T;
}

export const get = <T>(path: string): Promise<T> => call<T>("GET", path);
export const post = <T>(path: string): Promise<T> => call<T>("POST", path);

/** GET that answers null on 404 (an endpoint or a record that does not exist here). */
export async function getOptional<T>(path: string): Promise<T | null> {
  try {
    return await get<T>(path);
  } catch (err) {
    if (err instanceof NotFound) return null;
    throw err;
  }
}
