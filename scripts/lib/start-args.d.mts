// Types for start-args.mjs (npm start's flags and environment).
export const USAGE: string;
export class StartArgsError extends Error {}
export interface StartArgs {
  help: boolean;
  demo: boolean;
  traffic: boolean;
  verbose: boolean;
  persistTo: string | undefined;
  trafficDayMs: number;
  trafficRps: number;
  trafficConcurrency: number;
}
export function parseStartArgs(argv: readonly string[], env?: Record<string, string | undefined>): StartArgs;
