import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { el } from "./dom";

/**
 * A uPlot time-series chart that fills its container's width (a ResizeObserver keeps it so
 * on a 390 px phone) and takes new data without being rebuilt. uPlot draws times in the
 * viewer's zone; x values are epoch seconds.
 */
export interface SeriesSpec {
  label: string;
  stroke: string;
  fill?: string;
  dash?: number[];
  /** Markers only, no line (anomalies, call outcomes). */
  markers?: boolean;
  stepped?: boolean;
  width?: number;
  /** Draw across missing points (series sampled at other series' times). */
  spanGaps?: boolean;
}

export interface ChartSpec {
  title: string;
  /** Axis unit shown on the y axis and in the legend. */
  unit: string;
  series: SeriesSpec[];
  /** Pairs of 1-based series indexes [upper, lower] whose gap is filled (a 90 % interval). */
  bands?: [number, number][];
  height?: number;
}

const stepped = uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;

export class TimeChart {
  readonly figure: HTMLElement;
  private plot: uPlot | null = null;
  private readonly host: HTMLElement;
  private data: uPlot.AlignedData | null = null;
  private key = "";

  constructor(private readonly spec: ChartSpec) {
    this.host = el("div", { class: "chart-host" });
    this.figure = el("figure", { class: "chart", role: "group", "aria-label": spec.title }, el("figcaption", {}, spec.title), this.host);
    new ResizeObserver(() => this.resize()).observe(this.host);
  }

  private options(width: number): uPlot.Options {
    const s = this.spec;
    return {
      width,
      height: s.height ?? 180,
      legend: { show: true },
      cursor: { focus: { prox: 16 } },
      scales: { x: { time: true } },
      axes: [
        { stroke: "#3d4653", grid: { stroke: "#e6e9ee" }, ticks: { stroke: "#cfd5dd" } },
        { stroke: "#3d4653", grid: { stroke: "#e6e9ee" }, ticks: { stroke: "#cfd5dd" }, size: 52, label: s.unit, labelSize: 18 },
      ],
      series: [
        {},
        ...s.series.map((x): uPlot.Series => ({
          label: x.label,
          stroke: x.stroke,
          width: x.width ?? (x.markers ? 0 : 1.6),
          ...(x.fill ? { fill: x.fill } : {}),
          ...(x.dash ? { dash: x.dash } : {}),
          ...(x.markers ? { paths: () => null, points: { show: true, size: 9, fill: x.stroke, stroke: "#fff", width: 1.5 } } : { points: { show: false } }),
          ...(x.stepped && stepped ? { paths: stepped } : {}),
          spanGaps: x.spanGaps ?? false,
        })),
      ],
      ...(s.bands ? { bands: s.bands.map(([hi, lo]) => ({ series: [hi, lo] as [number, number], fill: "rgba(31,95,191,0.14)" })) } : {}),
    };
  }

  private resize(): void {
    const w = Math.floor(this.host.clientWidth);
    if (w <= 0) return;
    if (!this.plot) {
      if (this.data) this.plot = new uPlot(this.options(w), this.data, this.host);
      return;
    }
    if (Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: this.spec.height ?? 180 });
  }

  /** New data: x in epoch seconds, then one array per series (null = no value). */
  set(data: uPlot.AlignedData): void {
    const key = JSON.stringify(data);
    if (key === this.key) return;
    this.key = key;
    this.data = data;
    if (this.plot) this.plot.setData(data);
    else this.resize();
  }
}

export const secs = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
