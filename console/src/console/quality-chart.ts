/**
 * Per-call quality charts (Chart.js, bundled): bitrate, loss, round-trip time and MOS over the
 * call, one line per member, from the call record's quality timeline (GET /v1/calls/:id).
 */
import type { CallDetail, QualityPoint } from "@parley/shared";
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { el } from "./ui.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);
Chart.defaults.color = "#8c97aa";
Chart.defaults.borderColor = "#2b3445";
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const PALETTE = ["#4f8cff", "#3ecf8e", "#f5b841", "#f2545b", "#b37feb", "#36cfc9", "#ff9c6e", "#9ae6b4"];

type XY = { x: number; y: number };

interface Metric {
  id: string;
  title: string;
  unit: string;
  value: (p: QualityPoint) => number | null;
  min?: number;
  max?: number;
}

const METRICS: Metric[] = [
  {
    id: "bitrate",
    title: "Bitrate sent",
    unit: "kb/s",
    value: (p) => {
      const send = p.tracks.filter((t) => t.direction === "send");
      return send.length ? Math.round(send.reduce((s, t) => s + t.bitrate, 0) / 1000) : null;
    },
    min: 0,
  },
  {
    id: "loss",
    title: "Packet loss received",
    unit: "%",
    value: (p) => {
      const recv = p.tracks.filter((t) => t.direction === "recv");
      return recv.length ? Math.max(...recv.map((t) => t.loss)) * 100 : null;
    },
    min: 0,
  },
  {
    id: "rtt",
    title: "Round-trip time",
    unit: "ms",
    value: (p) => {
      const rtts = p.tracks.map((t) => t.rttMs).filter((v): v is number => v !== null);
      return rtts.length ? Math.max(...rtts) : null;
    },
    min: 0,
  },
  { id: "mos", title: "Call quality (MOS)", unit: "1–5", value: (p) => p.mos, min: 1, max: 5 },
];

/** The chart grid for a call; `update` redraws in place when the record grows (live calls). */
export class QualityCharts {
  readonly element: HTMLElement;
  #charts = new Map<string, { chart: Chart<"line", XY[]>; caption: HTMLElement }>();

  constructor() {
    this.element = el("div", { className: "chart-grid" });
    for (const metric of METRICS) {
      const canvas = el("canvas", { attrs: { role: "img", "aria-label": `${metric.title} over the call, per member` } });
      const caption = el("figcaption", { className: "muted" });
      this.element.append(
        el("figure", { className: "chart", attrs: { "data-metric": metric.id } }, [
          el("h3", { text: `${metric.title} (${metric.unit})` }),
          el("div", { className: "chart-box" }, [canvas]),
          caption,
        ]),
      );
      const chart = new Chart<"line", XY[]>(canvas, {
        type: "line",
        data: { datasets: [] },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          spanGaps: true,
          interaction: { mode: "nearest", intersect: false },
          scales: {
            x: { type: "linear", title: { display: true, text: "seconds into the call" }, ticks: { precision: 0 } },
            y: { type: "linear", min: metric.min, max: metric.max, beginAtZero: metric.min === 0 },
          },
          plugins: {
            legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12 } },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatValue(item.parsed.y, metric.unit)}` } },
          },
        },
      });
      this.#charts.set(metric.id, { chart, caption });
    }
  }

  update(call: CallDetail): void {
    const start = Date.parse(call.startedAt);
    const users = new Map(call.endpoints.map((e) => [e.member, e.user]));
    const byMember = new Map<string, QualityPoint[]>();
    // the clients' own reports; node points carry only a stream score (no bitrate, loss or RTT)
    for (const p of call.quality) if (p.source === "sdk") byMember.set(p.member, [...(byMember.get(p.member) ?? []), p]);
    const members = [...byMember.keys()];
    for (const metric of METRICS) {
      const entry = this.#charts.get(metric.id);
      if (!entry) continue;
      let points = 0;
      entry.chart.data.datasets = members.map((member, i) => {
        const colour = PALETTE[i % PALETTE.length] as string;
        const data = (byMember.get(member) ?? [])
          .map((p) => ({ x: Math.round((Date.parse(p.at) - start) / 100) / 10, y: metric.value(p) }))
          .filter((d): d is XY => d.y !== null);
        points += data.length;
        return {
          label: users.get(member) ?? member,
          data,
          borderColor: colour,
          backgroundColor: colour,
          borderWidth: 2,
          pointRadius: 2.5,
          tension: 0, // straight segments: a smoothed curve would invent values between samples
        };
      });
      entry.chart.update();
      entry.caption.textContent =
        points === 0
          ? "No samples of this yet."
          : `${points} sample${points === 1 ? "" : "s"} from ${members.length} member${members.length === 1 ? "" : "s"}`;
    }
  }

  destroy(): void {
    for (const { chart } of this.#charts.values()) chart.destroy();
  }
}

function formatValue(v: number | null, unit: string): string {
  if (v === null) return "—";
  if (unit === "%") return `${v.toFixed(1)} %`;
  if (unit === "1–5") return v.toFixed(2);
  return `${Math.round(v)} ${unit}`;
}
