import type { ScalingProvider } from "../../config/schema.js";

/**
 * The one interface every scaling provider implements (aws, gcp, azure, kubernetes,
 * webhook), so the run (src/scheduler/run.ts) knows none of them. A provider reads
 * before it writes, retries what the cloud says is retryable inside the run's deadline,
 * and returns a typed result: it throws only for programming faults.
 */

/** Secrets by their contract names (CONTRACT.md); a provider reads only its own. */
export type ScalingSecrets = Readonly<
  Partial<
    Record<
      | "AWS_ACCESS_KEY_ID"
      | "AWS_SECRET_ACCESS_KEY"
      | "GCP_SERVICE_ACCOUNT_JSON"
      | "AZURE_TENANT_ID"
      | "AZURE_CLIENT_ID"
      | "AZURE_CLIENT_SECRET"
      | "AZURE_SUBSCRIPTION_ID"
      | "K8S_TOKEN"
      | "WEBHOOK_SECRET",
      string
    >
  >
>;

/** Narrow seams (STYLE.md 10): the outbound fetch, the clock, timers and randomness. */
export interface ProviderDeps {
  readonly fetch: (input: Request | string, init?: RequestInit) => Promise<Response>;
  readonly now: () => number;
  /** Resolves after `ms`; tests inject one that advances a fake clock. */
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1), for backoff jitter and request ids. */
  readonly random: () => number;
  readonly secrets: ScalingSecrets;
  /** Epoch ms by which every call and retry of this run must be done (the run's time budget). */
  readonly deadline: number;
}

/** What the provider is told about the pool it scales. `target` is validated (targets.ts). */
export interface ProviderTarget {
  readonly pool: string;
  readonly provider: ScalingProvider;
  readonly target: Readonly<Record<string, string>>;
  /** Replaces scheme, host and port of the provider's API base (CONTRACT.md). */
  readonly endpoint?: string;
}

export type CallOutcome =
  | "ok"
  /** A retryable error (throttling, contention, 5xx, 429); another attempt may follow. */
  | "retryable_error"
  /** Validation, auth, 412 and the like: not retried. */
  | "final_error"
  | "timeout"
  /** A secret the provider needs is absent: nothing was sent. */
  | "missing_secret"
  /** The run's deadline left no time for this attempt. */
  | "deadline";

/** One HTTP exchange with the cloud (one attempt), as recorded in D1. Never a secret. */
export interface CallRecord {
  readonly provider: ScalingProvider;
  /** The provider's own name: DescribeAutoScalingGroups, SetDesiredCapacity, get, resize, token, … */
  readonly action: string;
  readonly at: number;
  /** HTTP status, or null when no answer came (timeout, connect error, missing secret). */
  readonly status: number | null;
  readonly outcome: CallOutcome;
  /** As the provider sent it: Throttling, ValidationError, rateLimitExceeded, conditionNotMet, … */
  readonly errorCode: string | null;
  /** 1 for the first try of this action. */
  readonly attempt: number;
  readonly latencyMs: number;
  /** A short human message (the provider's error message, trimmed); never a secret. */
  readonly message?: string;
}

export interface Capacity {
  readonly current: number;
  /** The cloud's own bounds where it has them (AWS MinSize/MaxSize). */
  readonly min?: number;
  readonly max?: number;
}

export interface ProviderError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export type ReadResult =
  | { readonly ok: true; readonly capacity: Capacity; readonly calls: CallRecord[] }
  | { readonly ok: false; readonly error: ProviderError; readonly calls: CallRecord[] };

export type WriteResult =
  | { readonly ok: true; readonly desired: number; readonly calls: CallRecord[] }
  | { readonly ok: false; readonly error: ProviderError; readonly calls: CallRecord[] };

/** What the webhook (and logs) may say about why; providers that do not need it ignore it. */
export interface ScaleIntent {
  readonly runId: string;
  readonly current: number;
  readonly desired: number;
  readonly reason: string;
  readonly forecast: { readonly model: string; readonly peak: number; readonly horizon_s: number } | null;
}

export interface ScalingProviderImpl {
  readonly name: ScalingProvider;
  read(t: ProviderTarget, deps: ProviderDeps): Promise<ReadResult>;
  /** Precondition: read() succeeded in this run (read before write). */
  write(t: ProviderTarget, intent: ScaleIntent, deps: ProviderDeps): Promise<WriteResult>;
}
