import { describe, expect, it } from "vitest";
import { createQuietFilter } from "../../../scripts/lib/quiet-output.mjs";

const keep = (text: string) => {
  const show = createQuietFilter();
  return text.split("\n").filter((l) => show(l));
};

// Lines as wrangler 4.86 prints them during `npm start` (captured from a run).
const STARTUP = `
 ⛅️ wrangler 4.86.0
Migrations to be applied:
┌────────────────────────┐
│ name                   │
├────────────────────────┤
│ 0000_init.sql          │
└────────────────────────┘
🚣 7 commands executed successfully.
Using secrets defined in .dev.vars
env.DB (aether-edge)                            D1 Database               local
[wrangler:warn] Unable to fetch the \`Request.cf\` object! Falling back to a default placeholder...
Error: getaddrinfo ENOTFOUND workers.cloudflare.com
    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)
    at GetAddrInfoReqWrap.callbackTrampoline (node:internal/async_hooks:130:17)
⎔ Starting local server...
[wrangler:info] Ready on http://127.0.0.1:8787
[wrangler:info] GET /_edge/health 200 OK (1081ms)
[wrangler:info] PUT /_edge/api/config 200 OK (22ms)
[wrangler:info] POST /api/cart 200 OK (16ms)
[wrangler:info] DELETE /x 503 Service Unavailable (3ms)
\u001b[32m[wrangler:info]\u001b[39m HEAD / 200 OK (1ms)`;

describe("the quiet filter over wrangler's output", () => {
  it("hides the banner, migration tables, request log and the offline request.cf trace", () => {
    expect(keep(STARTUP)).toEqual([]);
  });

  it("keeps real errors with the lines that belong to them", () => {
    const text = `[wrangler:info] GET / 200 OK (3ms)
✘ [ERROR] Build failed with 1 error:

  src/index.ts:3:7: ERROR: Expected ";" but found "x"

[wrangler:info] GET / 200 OK (3ms)
[wrangler:error] Error: D1_ERROR: no such table: config_version
    at query (index.js:10:3)
Uncaught TypeError: x is not a function
⎔ Reloading local server...`;
    expect(keep(text)).toEqual([
      "✘ [ERROR] Build failed with 1 error:",
      "",
      '  src/index.ts:3:7: ERROR: Expected ";" but found "x"',
      "",
      "[wrangler:error] Error: D1_ERROR: no such table: config_version",
      "    at query (index.js:10:3)",
      "Uncaught TypeError: x is not a function",
    ]);
  });

  it("shows an error that comes right after the request.cf trace", () => {
    const text = `[wrangler:warn] Unable to fetch the \`Request.cf\` object! Falling back to a default placeholder...
Error: getaddrinfo ENOTFOUND workers.cloudflare.com
    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)
✘ [ERROR] Address already in use (127.0.0.1:8787).`;
    expect(keep(text)).toEqual(["✘ [ERROR] Address already in use (127.0.0.1:8787)."]);
  });
});
