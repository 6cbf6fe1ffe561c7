import { PROVIDERS } from "../providers/index";
import type { ProviderRegistry } from "./run";

/** The providers the cron and the API run with (tests inject their own registry into runScheduler). */
export const DEFAULT_PROVIDERS: ProviderRegistry = PROVIDERS;
