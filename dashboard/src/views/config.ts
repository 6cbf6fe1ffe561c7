import { get, getOptional, post } from "../api";
import { confirmAction } from "../confirm";
import { secs, TimeChart } from "../chart";
import { diffLines, withContext } from "../diff";
import { el, empty, patch, table, time } from "../dom";
import type { ConfigDoc, Summary, Versions } from "../types";
import type { View } from "../view";

/** Config: the active config, its versions, a diff between any two, rollback behind a confirmation. */

export function configView(): View {
  let active: HTMLElement, versions: HTMLElement, diffOut: HTMLElement, notice: HTMLElement, json: HTMLElement;
  let fromSel: HTMLSelectElement, toSel: HTMLSelectElement;
  let onChanged: () => void = () => undefined;
  const cache = new Map<number, string>();
  const changes = new TimeChart({
    title: "Traffic and errors around config changes (last day; each stored version marked)",
    unit: "req/s",
    height: 170,
    series: [
      { label: "req/s", stroke: "#1f5fbf" },
      { label: "errors/s", stroke: "#b3261e" },
      { label: "config stored", stroke: "#a15c00", markers: true },
    ],
  });

  async function text(v: number): Promise<string> {
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
    const doc = await get<ConfigDoc>(`config/versions/${v}`);
    const s = JSON.stringify(doc.config, null, 2);
    cache.set(v, s);
    return s;
  }

  async function showDiff(): Promise<void> {
    const a = Number(fromSel.value);
    const b = Number(toSel.value);
    if (!a || !b) return;
    const [x, y] = await Promise.all([text(a), text(b)]);
    const lines = withContext(diffLines(x, y));
    const changed = lines.filter((l) => l.op === "add" || l.op === "del").length;
    diffOut.replaceChildren(
      el("p", { id: "diff-summary" }, changed ? `${changed} changed line(s) from v${a} to v${b}.` : `v${a} and v${b} are the same config.`),
      el(
        "pre",
        { class: "diff", tabindex: 0, "aria-label": `Diff from version ${a} to ${b}` },
        ...lines.map((l) =>
          l.op === "skip" ? el("span", { class: "d-skip" }, `  … ${l.count} unchanged line(s)\n`) : el(l.op === "same" ? "span" : l.op === "add" ? "ins" : "del", { class: `d-${l.op}` }, `${l.op === "add" ? "+ " : l.op === "del" ? "- " : "  "}${l.text}\n`),
        ),
      ),
    );
  }

  async function rollback(v: number, current: number): Promise<void> {
    if (!(await confirmAction(`Roll back to version ${v}?`, `Stores version ${v}'s config again as a new version (now v${current}); every edge location switches within seconds.`, `Roll back to v${v}`))) return;
    try {
      const r = await post<{ version: number; rolled_back_to: number }>(`config/rollback/${v}`);
      notice.textContent = `Rolled back to v${r.rolled_back_to}: the active config is now v${r.version}.`;
    } catch (err) {
      notice.textContent = `Rollback failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    onChanged();
  }

  return {
    mount(root, changed) {
      onChanged = changed;
      notice = el("p", { id: "config-notice", role: "status", "aria-live": "polite" });
      active = el("p", { id: "config-version" });
      versions = el("div", { id: "config-versions" });
      fromSel = el("select", { id: "diff-from" });
      toSel = el("select", { id: "diff-to" });
      const show = el("button", { type: "button", id: "diff-show" }, "Show diff");
      show.addEventListener("click", () => void showDiff().catch((e: unknown) => (diffOut.textContent = `Diff failed: ${String(e)}`)));
      diffOut = el("div", { id: "diff-out" });
      json = el("pre", { id: "config-json", tabindex: 0, "aria-label": "Active config (JSON)" });
      root.append(
        notice,
        active,
        el("h3", {}, "Versions"),
        versions,
        changes.figure,
        el("h3", {}, "Diff between two versions"),
        el("div", { class: "row" }, el("div", { class: "field" }, el("label", { for: "diff-from" }, "From version"), fromSel), el("div", { class: "field" }, el("label", { for: "diff-to" }, "To version"), toSel), show),
        diffOut,
        el("h3", {}, "Active config"),
        json,
      );
    },

    async refresh() {
      const to = Date.now();
      const [doc, list, day] = await Promise.all([
        getOptional<ConfigDoc>("config"),
        get<Versions>("config/versions"),
        get<Summary>(`metrics/summary?from=${new Date(to - 86_400_000).toISOString()}&to=${new Date(to).toISOString()}`),
      ]);
      const stored = list.versions.map((v) => secs(v.created_at)).filter((t) => t >= secs(day.from));
      const rps = new Map(day.series.map((p) => [secs(p.t), p]));
      const xs = [...new Set([...rps.keys(), ...stored])].sort((a, b) => a - b);
      const near = (t: number) => rps.get(t - (t % day.step_s))?.rps ?? 0;
      changes.set([xs, xs.map((t) => rps.get(t)?.rps ?? null), xs.map((t) => { const p = rps.get(t); return p ? p.errors / day.step_s : null; }), xs.map((t) => (stored.includes(t) ? near(t) : null))]);
      const current = doc?.version ?? 0;
      active.textContent = doc ? `Active: version ${doc.version}` : "";
      patch(json, doc, () => (doc ? [JSON.stringify(doc.config, null, 2)] : []));
      json.hidden = !doc;
      patch(versions, { list, current }, () =>
        list.versions.length === 0
          ? [empty("No config stored yet: PUT one to /_edge/api/config (npm start seeds a demo config).")]
          : [
              table(
                "Config versions",
                ["version", "stored", "note", ""],
                list.versions.map((v) => {
                  if (v.version === current) return [`v${v.version}`, time(v.created_at), v.note || "–", el("strong", {}, "active")];
                  const b = el("button", { type: "button", "data-rollback": v.version }, `Roll back to v${v.version}`);
                  b.addEventListener("click", () => void rollback(v.version, current));
                  return [`v${v.version}`, time(v.created_at), v.note || "–", b];
                }),
              ),
            ],
      );
      const opts = list.versions.map((v) => v.version);
      const prevFrom = fromSel.value;
      const prevTo = toSel.value;
      patch(fromSel, opts, () => opts.map((v) => el("option", { value: v }, `v${v}`)));
      patch(toSel, opts, () => opts.map((v) => el("option", { value: v }, `v${v}`)));
      fromSel.value = prevFrom && opts.includes(Number(prevFrom)) ? prevFrom : String(opts[1] ?? opts[0] ?? "");
      toSel.value = prevTo && opts.includes(Number(prevTo)) ? prevTo : String(opts[0] ?? "");
    },
  };
}
