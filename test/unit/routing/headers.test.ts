import { describe, expect, it } from "vitest";
import { downstreamHeaders, originPrefix, upstreamHeaders, upstreamUrl as target } from "../../../src/routing/headers";

/** The upstream URL as fetch will parse it. */
const upstreamUrl = (origin: URL, incoming: URL): URL => new URL(target(originPrefix(origin), incoming));
import { clientGeo, geoFromHeader } from "../../../src/routing/geo";

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
  const info = { clientIp: "203.0.113.9", proto: "https", host: "edge.example.com", websocket: false };
  it("drops hop-by-hop fields, those named in Connection, the geo override and Host", () => {
    const h = new Headers({
      connection: "keep-alive, x-secret-hop",
      "keep-alive": "timeout=5",
      "x-secret-hop": "1",
      te: "trailers",
      "transfer-encoding": "chunked",
      "proxy-authorization": "Basic abc",
      upgrade: "h2c",
      host: "attacker.example",
      "x-edge-geo": "country=DE",
      accept: "application/json",
      authorization: "Bearer user-token",
    });
    const out = upstreamHeaders(h, info);
    for (const gone of ["connection", "keep-alive", "x-secret-hop", "te", "transfer-encoding", "proxy-authorization", "upgrade", "host", "x-edge-geo"])
      expect(out.has(gone), gone).toBe(false);
    expect(out.get("accept")).toBe("application/json");
    expect(out.get("authorization")).toBe("Bearer user-token");
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
    const out = upstreamHeaders(new Headers({ upgrade: "websocket", connection: "Upgrade" }), { ...info, websocket: true });
    expect(out.get("upgrade")).toBe("websocket");
    expect(out.get("connection")).toBe("Upgrade");
  });
  it("strips hop-by-hop fields from responses unless upgraded", () => {
    const up = new Headers({ connection: "close", "content-type": "text/plain", "keep-alive": "1" });
    expect([...downstreamHeaders(up, false).keys()]).toEqual(["content-type"]);
    expect(downstreamHeaders(up, true).has("connection")).toBe(true);
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
    expect(clientGeo(cf, "country=DE", true)).toEqual({ country: "US", continent: "NA", lat: 40.7, lon: -74, colo: "EWR" });
    expect(clientGeo(cf, "country=DE", false).country).toBe("DE");
    expect(clientGeo(undefined, null, false)).toEqual({});
  });
});

describe("needsDownstreamRewrite", () => {
  it("lets the common keep-alive response through untouched and catches real hop-by-hop fields", async () => {
    const { needsDownstreamRewrite } = await import("../../../src/routing/headers");
    expect(needsDownstreamRewrite(new Headers({ connection: "keep-alive", "keep-alive": "timeout=5" }))).toBe(false);
    expect(needsDownstreamRewrite(new Headers({ connection: "close" }))).toBe(false);
    expect(needsDownstreamRewrite(new Headers({ "content-type": "text/plain" }))).toBe(false);
    expect(needsDownstreamRewrite(new Headers({ connection: "keep-alive, x-internal" }))).toBe(true);
    expect(needsDownstreamRewrite(new Headers({ "proxy-authenticate": "Basic" }))).toBe(true);
  });
});
