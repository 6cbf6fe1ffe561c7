/** Small DOM helpers: element building, times in the viewer's zone (UTC on hover), numbers. */

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    node.setAttribute(k, v === true ? "" : String(v));
  }
  append(node, children);
  return node;
}

function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const n = document.getElementById(id);
  if (!n) throw new Error(`#${id} missing`);
  return n as T;
}

const lastRender = new WeakMap<Node, string>();

/**
 * Rebuilds `node`'s children only when `data` differs from what it last showed, so a poll
 * that brings nothing new keeps focus, selection and scroll where the operator left them.
 */
export function patch(node: HTMLElement, data: unknown, build: () => Child[]): void {
  const key = JSON.stringify(data);
  if (lastRender.get(node) === key) return;
  lastRender.set(node, key);
  node.replaceChildren();
  append(node, build());
}

const local = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A <time> in the viewer's zone with the UTC instant in its title. */
export function time(iso: string | null | undefined): Node {
  if (!iso) return document.createTextNode("–");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return document.createTextNode(iso);
  return el("time", { datetime: d.toISOString(), title: `${d.toISOString().replace(".000Z", "Z")} (UTC)` }, local.format(d));
}

export function num(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(digits)} %`;
}

/** An empty state that says what to do. */
export function empty(message: string): HTMLElement {
  return el("p", { class: "empty" }, message);
}

export function table(caption: string, head: string[], rows: Child[][], cls = ""): HTMLElement {
  return el(
    "div",
    { class: `table-wrap ${cls}`.trim() },
    el(
      "table",
      {},
      el("caption", { class: "sr-only" }, caption),
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", { "data-label": head[i] ?? "" }, c))))),
    ),
  );
}

export function badge(state: string): HTMLElement {
  return el("span", { class: `badge badge-${state.replace(/[^a-z_]/g, "")}` }, state.replace("_", " "));
}
