import { describe, expect, it } from "vitest";
import {
  downstreamHeaders,
  isWebSocketUpgrade,
  needsDownstreamRewrite,
  originPrefix,
  originTarget,
  schemeAndHost,
  upstreamHeaders,
  upstreamUrl as target,
} from "../../../src/routing/headers";

/** The upstream URL as fetch will parse it. */
const upstreamUrl = (origin: URL, incoming: URL): URL => new URL(target(originPrefix(origin), incoming));
import { clientGeo, geoFromCf, geoFromHeader } from "../../../src/routing/geo";

describe("upstreamUrl: the client cannot choose the upstream host", () => {
  const origin = new URL("https://eu-1.example.net");
  const based = new URL("https://eu-1.example.net/app/");
  const cases: [string, string][] = [
    ["https://edge.example.com/a/b?x=1", "https://eu-1.example.net/a/b?x=1"],
    ["https://edge.example.com//evil.com/x", "https://eu-1.example.net//evil.com/x"],
    ["https://edge.example.com/@evil.com", "https://eu-1.example.net/@evil.com"],
    ["https://edge.example.com/a/../../etc/passwd", "https://eu-1.example.net/etc/passwd"],
    ["https://edge.example.com/a%2F..%2F..%2Fb", "https://eu-1.example.net/a%2F..%2F..%2Fb"],
    ["https://edge.example.com/%2e%2e/x", "https://eu-1.example.net/x"],
    ["https://edge.example.com/\\evil.com/", "https://eu-1.example.net//evil.com/"],
    ["https://edge.example.com/:443@evil.com/", "https://eu-1.example.net/:443@evil.com/"],
  ];
  it.each(cases)("%s → %s", (incoming, expected) => {
    const u = upstreamUrl(origin, new URL(incoming));
    expect(u.toString()).toBe(expected);
    expect(u.host).toBe("eu-1.example.net");
  });
  it("keeps the origin's base path and never climbs out of it", () => {
    expect(upstreamUrl(based, new URL("https://e/x/y")).toString()).toBe("https://eu-1.example.net/app/x/y");
    for (const p of ["https://e/../../admin", "https://e/%2e%2e/%2E%2E/admin", "https://e/a/..%2f..%2fadmin", "https://e//x/../../../admin"])
      expect(upstreamUrl(based, new URL(p)).pathname.startsWith("/app/"), p).toBe(true);
  });
  it("keeps a non-default origin port and scheme", () => {
    expect(upstreamUrl(new URL("http://127.0.0.1:9001"), new URL("https://edge/p?q")).toString()).toBe("http://127.0.0.1:9001/p?q");
  });
});

describe("upstreamHeaders", () => {
  const info = { connection: null, clientIp: "203.0.113.9", proto: "https", host: "edge.example.com", forwardedHost: "edge.example.com", websocket: false };
  it("drops the hop-by-hop fields workerd would pass on, those named in Connection, and the geo override", () => {
    // Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade and Host are dropped by
    // workerd's HTTP client itself: test/runtime/router.test.ts checks what the origin receives.
    const h = new Headers({
      connection: "keep-alive, X-Secret-Hop, close",
      "x-secret-hop": "1",
      "proxy-authorization": "Basic abc",
      "proxy-connection": "keep-alive",
      "x-edge-geo": "country=DE",
      accept: "application/json",
      authorization: "Bearer user-token",
    });
    const out = upstreamHeaders(h, { ...info, connection: h.get("connection") });
    for (const gone of ["x-secret-hop", "proxy-authorization", "proxy-connection", "x-edge-geo"]) expect(out.has(gone), gone).toBe(false);
    expect(out.get("accept")).toBe("application/json");
    expect(out.get("authorization")).toBe("Bearer user-token");
  });
  it("keeps every end-to-end field when Connection names only options", () => {
    for (const connection of ["keep-alive", "Keep-Alive", "close", "Upgrade"]) {
      const out = upstreamHeaders(new Headers({ connection, "x-a": "1", "keep-alive": "timeout=5" }), { ...info, connection });
      expect(out.get("x-a"), connection).toBe("1");
    }
  });
  it("appends X-Forwarded-For and Forwarded, and sets proto and host", () => {
    const out = upstreamHeaders(new Headers({ "x-forwarded-for": "198.51.100.1", forwarded: "for=198.51.100.1" }), info);
    expect(out.get("x-forwarded-for")).toBe("198.51.100.1, 203.0.113.9");
    expect(out.get("x-forwarded-proto")).toBe("https");
    expect(out.get("x-forwarded-host")).toBe("edge.example.com");
    expect(out.get("forwarded")).toBe('for=198.51.100.1, for=203.0.113.9;host="edge.example.com";proto=https');
  });
  it("quotes IPv6 nodes in Forwarded (RFC 7239 §6)", () => {
    const out = upstreamHeaders(new Headers(), { ...info, clientIp: "2001:db8::1" });
    expect(out.get("forwarded")).toBe('for="[2001:db8::1]";host="edge.example.com";proto=https');
  });
  it("passes a WebSocket upgrade through", () => {
    const out = upstreamHeaders(new Headers({ upgrade: "websocket", connection: "Upgrade" }), { ...info, connection: "Upgrade", websocket: true });
    expect(out.get("upgrade")).toBe("websocket");
    expect(out.get("connection")).toBe("Upgrade");
  });
});

describe("schemeAndHost: read from request.url without URL getters", () => {
  it("agrees with the URL parser on what the runtime serializes", () => {
    for (const href of [
      "http://edge.example.com/a/b?x=1",
      "https://edge.example.com/",
      "http://127.0.0.1:8787/x",
      "https://[2001:db8::1]:8443/p#f",
      "http://edge.test?q=1",
      "http://edge.test#frag",
      "http://edge.test",
    ]) {
      const u = new URL(href);
      expect(schemeAndHost(href), href).toEqual({ proto: u.protocol.slice(0, -1), host: u.host });
    }
  });
  it("lowercases the host and drops any userinfo, as the URL parser does", () => {
    expect(schemeAndHost("HTTPS://Edge.Example.COM/x")).toEqual({ proto: "https", host: "edge.example.com" });
    expect(schemeAndHost("http://user:pw@edge.test/x")).toEqual({ proto: "http", host: "edge.test" });
  });
});

describe("isWebSocketUpgrade", () => {
  const ws = new Headers({ upgrade: "websocket" });
  it("needs both an upgrade token in Connection and Upgrade: websocket", () => {
    expect(isWebSocketUpgrade("Upgrade", ws)).toBe(true);
    expect(isWebSocketUpgrade("keep-alive, Upgrade", ws)).toBe(true);
    expect(isWebSocketUpgrade("upgrade", new Headers({ upgrade: "WebSocket" }))).toBe(true);
    expect(isWebSocketUpgrade(null, ws)).toBe(false);
    expect(isWebSocketUpgrade("keep-alive", ws)).toBe(false);
    expect(isWebSocketUpgrade("x-upgraded", ws)).toBe(false);
    expect(isWebSocketUpgrade("Upgrade", new Headers({ upgrade: "h2c" }))).toBe(false);
    expect(isWebSocketUpgrade("Upgrade", new Headers())).toBe(false);
  });
  it("does not read Upgrade when Connection cannot name it", () => {
    let reads = 0;
    const counting = { get: (n: string) => (reads++, n === "upgrade" ? "websocket" : null) };
    isWebSocketUpgrade("keep-alive", counting);
    isWebSocketUpgrade(null, counting);
    expect(reads).toBe(0);
  });
});

describe("responses to the client", () => {
  it("go back untouched unless the origin sent a hop-by-hop field workerd would pass on", () => {
    expect(needsDownstreamRewrite(200, new Headers({ connection: "keep-alive", "content-type": "text/plain" }))).toBe(false);
    expect(needsDownstreamRewrite(200, new Headers({ connection: "close, Keep-Alive" }))).toBe(false);
    expect(needsDownstreamRewrite(200, new Headers({ connection: "keep-alive, x-hop", "x-hop": "1" }))).toBe(true);
    expect(needsDownstreamRewrite(407, new Headers({ "proxy-authenticate": "Basic" }))).toBe(true);
    expect(needsDownstreamRewrite(200, new Headers({ "proxy-connection": "keep-alive" }))).toBe(true);
  });
  it("lose those fields when rewritten", () => {
    const up = new Headers({ connection: "keep-alive, x-hop", "x-hop": "1", "proxy-authenticate": "Basic", "proxy-connection": "x", "content-type": "text/plain" });
    const out = downstreamHeaders(up);
    for (const gone of ["x-hop", "proxy-authenticate", "proxy-connection"]) expect(out.has(gone), gone).toBe(false);
    expect(out.get("content-type")).toBe("text/plain");
  });
});

describe("originTarget: Host override", () => {
  it("dials the origin URL when there is no override, or outside production", () => {
    expect(originTarget({ url: "https://o.example:8443/base/" }, true)).toEqual({ prefix: "https://o.example:8443/base" });
    expect(originTarget({ url: "https://o.example/", host_header: "app.example" }, false)).toEqual({ prefix: "https://o.example" });
  });
  it("in production puts host_header in the URL and dials the origin's name with resolveOverride", () => {
    expect(originTarget({ url: "https://o.example:8443/base", host_header: "app.example" }, true)).toEqual({
      prefix: "https://app.example:8443/base",
      resolveOverride: "o.example",
    });
  });
});

describe("geo sources", () => {
  it("parses the x-edge-geo header", () => {
    expect(geoFromHeader("country=de; continent=EU; lat=50.11; lon=8.68; colo=fra")).toEqual({
      country: "DE",
      continent: "EU",
      lat: 50.11,
      lon: 8.68,
      colo: "FRA",
    });
    expect(geoFromHeader("country=Germany; lat=500; lon=8")).toEqual({});
  });
  it("ignores the header in production and reads cf there", () => {
    const cf = { country: "US", continent: "NA", latitude: "40.7", longitude: "-74.0", colo: "EWR" };
    const de = new Headers({ "x-edge-geo": "country=DE" });
    expect(clientGeo(geoFromCf(cf), de, true)).toEqual({ country: "US", continent: "NA", lat: 40.7, lon: -74, colo: "EWR" });
    expect(clientGeo(geoFromCf(cf), de, false).country).toBe("DE");
    expect(clientGeo(geoFromCf(undefined), new Headers(), false)).toEqual({});
  });
});

