import type { ScalingProvider } from "../../config/schema.js";
import { aws } from "./aws.js";
import { azure } from "./azure.js";
import { gcp } from "./gcp.js";
import { kubernetes } from "./kubernetes.js";
import type { ScalingProviderImpl } from "./types.js";
import { webhook } from "./webhook.js";

/** Every scaling provider behind the one interface (types.ts), by the config's provider name. */
export const PROVIDERS: Readonly<Record<ScalingProvider, ScalingProviderImpl>> = { aws, gcp, azure, kubernetes, webhook };
