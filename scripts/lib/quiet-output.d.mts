// Types for quiet-output.mjs (the filter over wrangler's output in a quiet npm start).
export function createQuietFilter(): (line: string) => boolean;
