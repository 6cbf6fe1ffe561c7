/**
 * The scheduler's fleet-wide lease, as a pure function of the stored holder: one run at a
 * time, and a holder that crashed (never released) stops blocking once its lease expires.
 */

export interface LeaseHolder {
  readonly owner: string;
  readonly expiresAt: number;
}

export type AcquireResult = { readonly ok: true; readonly expiresAt: number } | { readonly ok: false; readonly holder: string; readonly expiresAt: number };

/**
 * How long a run may hold the lease: longer than the run's budget (RUN_BUDGET_MS for the
 * cloud calls, plus forecasting and D1 writes) and shorter than the cron's 60 s period, so a
 * run that crashed holding it never costs the next minute's run.
 */
export const LEASE_TTL_MS = 50_000;
/** The run's time budget for cloud calls and retries, from its start (ProviderDeps.deadline). */
export const RUN_BUDGET_MS = 20_000;

/** The new holder (or null to keep the stored one) and the answer. Re-acquiring one's own lease extends it. */
export function decideAcquire(held: LeaseHolder | null, owner: string, now: number, ttlMs: number): { store: LeaseHolder | null; result: AcquireResult } {
  if (held && held.owner !== owner && held.expiresAt > now) return { store: null, result: { ok: false, holder: held.owner, expiresAt: held.expiresAt } };
  const next = { owner, expiresAt: now + ttlMs };
  return { store: next, result: { ok: true, expiresAt: next.expiresAt } };
}

/** Only the holder releases; a late release from a run whose lease expired and was taken is a no-op. */
export function decideRelease(held: LeaseHolder | null, owner: string): boolean {
  return held !== null && held.owner === owner;
}
