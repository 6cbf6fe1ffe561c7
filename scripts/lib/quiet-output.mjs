// What of wrangler's output a newcomer sees in a quiet `npm start`: errors only. Hidden
// (shown with --verbose): the banner, the bindings table, migration tables, the per-request
// log (`[wrangler:info] GET /path 200 OK (3ms)`), and the `getaddrinfo ENOTFOUND` stack
// trace printed because `request.cf` cannot be fetched offline, which is not an error here.
// A filter is stateful (it follows multi-line blocks): one per stream.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const CF_WARNING = /Unable to fetch the `Request\.cf` object/;
const CF_TRACE = /getaddrinfo ENOTFOUND|^\s+at\s|^\s*$/;
const ERROR = /\[wrangler:error\]|\[ERROR\]|^\s*(Uncaught\s+)?([A-Z]\w*)?Error\b|\bUncaught\b/;
const CONTINUATION = /^(\s|$)/;

/** A line filter: `show(line)` is true for the lines a quiet console keeps. */
export function createQuietFilter() {
  let mode = "normal"; // "cf": inside the request.cf warning's trace; "error": inside an error block
  return function show(raw) {
    const line = raw.replace(ANSI, "");
    if (mode === "cf" && CF_TRACE.test(line)) return false;
    if (mode === "error" && CONTINUATION.test(line)) return true;
    mode = "normal";
    if (CF_WARNING.test(line) || /getaddrinfo ENOTFOUND workers\.cloudflare\.com/.test(line)) {
      mode = "cf";
      return false;
    }
    if (ERROR.test(line)) {
      mode = "error";
      return true;
    }
    return false;
  };
}
