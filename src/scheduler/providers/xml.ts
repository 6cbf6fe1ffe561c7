/**
 * Just enough XML for the AWS Query API's answers: the text of the first element with a
 * given name. No DTDs, no entity expansion beyond the five predefined entities and
 * numeric references, so a hostile answer cannot blow up (no "billion laughs").
 */

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

/** The decoded text of the first `<name>…</name>` (namespace prefixes ignored), or null. */
export function xmlText(xml: string, name: string): string | null {
  const m = new RegExp(`<(?:[A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9_]+:)?${name}>`).exec(xml);
  return m?.[1] === undefined ? null : decode(m[1]).trim();
}

/** The number of `<name>` elements with text. */
export function xmlCount(xml: string, name: string): number {
  return (xml.match(new RegExp(`<(?:[A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>[^<]*</`, "g")) ?? []).length;
}

/** Escapes text for an XML element (used by the fakes and kept next to the reader). */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${Object.entries(ENTITIES).find(([, v]) => v === c)?.[0] ?? "amp"};`);
}
