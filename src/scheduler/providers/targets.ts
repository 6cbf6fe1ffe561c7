import { z } from "zod";
import type { ScalingProvider } from "../../config/schema.js";

/**
 * What each provider needs in a pool's `scaling.target` (CONTRACT.md keeps `target` a
 * string map; these schemas say which keys each provider reads). The config schema runs
 * the one for the pool's provider, so a missing key is an issue at
 * `pools.N.scaling.target.<key>` and a config that parses can be called.
 */
const name = z.string().min(1).max(256);
const path = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a Kubernetes name (lower case, digits, '-', '.')");

export const TARGET_SCHEMAS = {
  /** AWS Auto Scaling group: the region signs the request (SigV4, service autoscaling). */
  aws: z.object({ region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region like eu-west-1"), group: name }).strict(),
  /** GCP managed instance group, zonal (`zone`) or regional (`region`): exactly one of them. */
  gcp: z
    .object({ project: name, zone: name.optional(), region: name.optional(), group: name })
    .strict()
    .superRefine((t, ctx) => {
      if ((t.zone === undefined) === (t.region === undefined))
        ctx.addIssue({ code: "custom", path: [t.zone === undefined ? "zone" : "region"], message: "give exactly one of zone (zonal group) or region (regional group)" });
    }),
  /** Azure VM scale set; the subscription comes from the AZURE_SUBSCRIPTION_ID secret. */
  azure: z.object({ resource_group: name, scale_set: name }).strict(),
  /** A Deployment's scale subresource; `api_server` is the API server's https base URL. */
  kubernetes: z
    .object({ api_server: z.string().url().startsWith("https://", "the API server's https:// URL"), namespace: path.default("default"), deployment: path })
    .strict(),
  /** A Standard Webhooks receiver. */
  webhook: z.object({ url: z.string().url().regex(/^https?:\/\//, "an http(s) URL") }).strict(),
} as const satisfies Record<ScalingProvider, z.ZodType>;

export type TargetOf<P extends ScalingProvider> = z.output<(typeof TARGET_SCHEMAS)[P]>;
