// Types for workerd.mjs, for the TypeScript tests that run bundles under `workerd serve`.
export const WORKERD: string;
export const COMPAT_DATE: string;
export function bundle(entry: string, outfile: string, define?: Record<string, string>): Promise<string>;
export interface WorkerdOptions {
  script: string;
  port: number;
  bindings?: Record<string, string>;
  durableObjects?: { className: string; binding: string }[];
  compatibilityFlags?: string[];
  inspectorPort?: number;
  cfBlobHeader?: string;
}
export function startWorkerd(opts: WorkerdOptions): Promise<{ url: string; pid: number; stop(): Promise<void> }>;
export function freePort(): Promise<number>;
