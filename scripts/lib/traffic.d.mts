// Types for traffic.mjs (the demo's traffic generator), for its unit tests and callers in TypeScript.
export interface Place {
  readonly country: string;
  readonly continent: string;
  readonly lat: number;
  readonly lon: number;
  readonly colo: string;
  readonly utcOffsetHours: number;
  readonly weight: number;
}
export const PLACES: readonly Place[];
export const LIMITS: Readonly<{ maxRps: number; maxConcurrency: number; minDayMs: number; maxDayMs: number }>;
export const DEFAULTS: Readonly<{ dayMs: number; peakRps: number; concurrency: number }>;

export function diurnal(localHour: number): number;
export function countryMix(simUtcMs: number): { country: string; continent: string; share: number }[];
export function rateAt(simUtcMs: number, peakRps: number): number;
export function geoHeader(place: Place): string;
export function seededRandom(seed: number): () => number;

export interface PlannedRequest {
  atMs: number;
  simUtcMs: number;
  place: Place;
  method: "GET" | "POST";
  path: string;
  body?: string;
  headers: Record<string, string>;
}
export interface ScheduleOptions {
  seed: number;
  startMs: number;
  simStartUtcMs: number;
  dayMs: number;
  peakRps: number;
}
export function createSchedule(opts: ScheduleOptions): { next(): PlannedRequest };
export function createLimiter(limit: number, windowMs: number): { tryAcquire(now: number): boolean };

export class TrafficOptionError extends Error {}
export function assertLoopback(target: unknown): URL;
export function parseDuration(text: string, what?: string): number;

export interface TrafficOptionsInput {
  target?: unknown;
  dayMs?: unknown;
  peakRps?: unknown;
  concurrency?: unknown;
  seed?: unknown;
}
export interface TrafficOptions {
  target: string;
  dayMs: number;
  peakRps: number;
  concurrency: number;
  seed: number;
}
export function resolveTrafficOptions(opts?: TrafficOptionsInput): TrafficOptions;

export interface TrafficStats {
  sent: number;
  ok: number;
  errors: number;
  shed: number;
  byCountry: Record<string, number>;
  simUtcMs: number;
}
export interface ResponseLike {
  status: number;
  arrayBuffer?(): Promise<ArrayBuffer>;
}
export interface TrafficRun extends TrafficOptionsInput {
  target: string;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  fetch(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<ResponseLike>;
  signal?: AbortSignal;
  simStartUtcMs?: number;
  onResponse?(req: PlannedRequest): void;
}
export function startTraffic(opts: TrafficRun): { stats(): TrafficStats; done: Promise<TrafficStats>; options: TrafficOptions };
export function formatSummary(prev: TrafficStats | undefined, cur: TrafficStats, elapsedMs: number): string;
