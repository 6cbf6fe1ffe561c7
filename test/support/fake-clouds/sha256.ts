import type { Checksum, SourceData } from "@smithy/types";

/** SHA-256 / HMAC-SHA-256 for @smithy/signature-v4 on WebCrypto, so the fake runs in Node and workerd alike. */
function bytes(data: SourceData): Uint8Array<ArrayBuffer> {
  if (typeof data === "string") return new Uint8Array(new TextEncoder().encode(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export class WebSha256 implements Checksum {
  private chunks: Uint8Array[] = [];
  constructor(private readonly secret?: SourceData) {}
  update(data: Uint8Array): void {
    this.chunks.push(Uint8Array.from(data));
  }
  async digest(): Promise<Uint8Array> {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let off = 0;
    for (const c of this.chunks) {
      all.set(c, off);
      off += c.length;
    }
    if (this.secret === undefined) return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    const key = await crypto.subtle.importKey("raw", bytes(this.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, all));
  }
  reset(): void {
    this.chunks = [];
  }
}
