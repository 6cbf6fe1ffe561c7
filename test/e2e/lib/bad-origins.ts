import http from "node:http";
import net from "node:net";

/**
 * Origins that misbehave on purpose, on 127.0.0.1: `echo` answers JSON with what it
 * received (and any x-edge-* response fields asked for by ?spoof=1); `hang` accepts and never
 * answers; `reset` destroys the connection; `garbage` answers bytes that are not HTTP;
 * `midbody` sends headers promising 100 bytes, sends 10 and closes; `slow` answers after 2 s.
 */
export interface BadOrigins {
  urls: Record<"echo" | "hang" | "reset" | "garbage" | "midbody" | "slow", string>;
  received(): http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startBadOrigins(): Promise<BadOrigins> {
  const seen: http.IncomingHttpHeaders[] = [];
  const sockets = new Set<net.Socket>();
  const echo = http.createServer((req, res) => {
    seen.push(req.headers);
    const extra = req.url?.includes("spoof=1") ? { "x-edge-origin": "spoofed", "x-edge-internal": "secret" } : {};
    res.writeHead(200, { "content-type": "application/json", ...extra });
    res.end(JSON.stringify({ headers: req.headers, path: req.url }));
  });
  const slow = http.createServer((_req, res) => void setTimeout(() => res.end("late"), 2000).unref());
  const raw = (onConn: (s: net.Socket) => void) => net.createServer((s) => (sockets.add(s), s.on("error", () => undefined), s.once("close", () => sockets.delete(s)), onConn(s)));
  const hang = raw(() => undefined);
  const reset = raw((s) => s.once("data", () => s.resetAndDestroy()));
  const garbage = raw((s) => s.once("data", () => s.end("\u0000\u0001 this is not HTTP at all \r\n\r\n")));
  const midbody = raw((s) =>
    s.once("data", () => {
      s.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\n0123456789");
      setTimeout(() => s.destroy(), 50);
    }),
  );
  const servers = { echo, hang, reset, garbage, midbody, slow };
  const urls = {} as BadOrigins["urls"];
  for (const [name, server] of Object.entries(servers)) {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const a = server.address();
    urls[name as keyof BadOrigins["urls"]] = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  }
  return {
    urls,
    received: () => seen,
    async close() {
      for (const s of sockets) s.destroy();
      echo.closeAllConnections();
      slow.closeAllConnections();
      await Promise.all(Object.values(servers).map((s) => new Promise((r) => s.close(r))));
    },
  };
}
