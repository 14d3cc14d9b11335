/** Fleet: the region's media nodes, their health and load, refreshed every few seconds. */
import type { PageContext } from "./context.js";
import { badge, el, emptyState, load, section, type Tone, table, when } from "./ui.js";

interface NodeView {
  node: string;
  region: string;
  publicAddress: string;
  workers: number;
  load: {
    workers: number;
    routers: number;
    transports: number;
    producers: number;
    consumers: number;
    cpu: number;
    bitrateIn?: number;
    bitrateOut?: number;
  };
  status: "up" | "draining" | "down";
  lastSeen: number;
  startedAt: number;
  version: string;
}

const STATUS_TONE: Record<NodeView["status"], Tone> = { up: "good", draining: "fair", down: "poor" };

export async function renderFleet(ctx: PageContext): Promise<void> {
  const form = el("form", { className: "inline-form" }, [
    el("label", { text: "Region " }, [
      el("input", { attrs: { name: "region", placeholder: "default region", maxlength: "32", size: "12" } }),
    ]),
    el("button", { text: "Show", attrs: { type: "submit" } }),
  ]);
  const summary = el("div", { className: "stats" });
  ctx.root.append(el("h1", { text: "Fleet" }), summary);
  const body = section(ctx.root, "Media nodes", [form]);
  let region = "";
  const refresh = (quiet: boolean) =>
    load(
      body,
      () => ctx.api.get<{ region: string; nodes: NodeView[] }>(`/v1/fleet/nodes${region ? `?region=${encodeURIComponent(region)}` : ""}`),
      ({ region: shown, nodes }) => {
        summary.replaceChildren(...stats(shown, nodes));
        if (nodes.length === 0)
          return emptyState(
            `No media nodes in region “${shown}”.`,
            "Start a node (media-fleet) with this REGION and the edge's FLEET_SECRET.",
          );
        return table(nodes, [
          { title: "Node", cell: (n) => el("strong", { text: n.node }) },
          { title: "Health", cell: (n) => badge(n.status, STATUS_TONE[n.status]) },
          { title: "Region", cell: (n) => n.region },
          { title: "Address", cell: (n) => n.publicAddress },
          { title: "Rooms", cell: (n) => String(n.load.routers), className: "num" },
          { title: "Transports", cell: (n) => String(n.load.transports), className: "num" },
          { title: "Tracks in / out", cell: (n) => `${n.load.producers} / ${n.load.consumers}`, className: "num" },
          { title: "CPU", cell: (n) => meter(n.load.cpu, n.workers) },
          { title: "Traffic in / out", cell: (n) => `${bitrate(n.load.bitrateIn)} / ${bitrate(n.load.bitrateOut)}`, className: "num" },
          { title: "Last heartbeat", cell: (n) => when(n.lastSeen) },
          { title: "Version", cell: (n) => n.version },
        ]);
      },
      { quiet },
    );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    region = String(new FormData(form).get("region") ?? "").trim();
    void refresh(false);
  });
  await refresh(false);
  ctx.every(3000, () => refresh(true));
}

function stats(region: string, nodes: NodeView[]): HTMLElement[] {
  const up = nodes.filter((n) => n.status === "up").length;
  const rooms = nodes.reduce((s, n) => s + n.load.routers, 0);
  const cpu = nodes.length ? nodes.reduce((s, n) => s + n.load.cpu, 0) / nodes.length : 0;
  const live = nodes.filter((n) => n.status !== "down");
  const total = (pick: (n: NodeView) => number | undefined) => live.reduce((s, n) => s + (pick(n) ?? 0), 0);
  return [
    stat("Region", region),
    stat("Nodes up", `${up} of ${nodes.length}`, up === nodes.length && up > 0 ? "good" : up === 0 ? "poor" : "fair"),
    stat("Rooms on nodes", String(rooms)),
    stat("Mean CPU", `${Math.round(cpu * 100)} %`, cpu > 0.8 ? "poor" : cpu > 0.5 ? "fair" : "good"),
    stat("Traffic in / out", `${bitrate(total((n) => n.load.bitrateIn))} / ${bitrate(total((n) => n.load.bitrateOut))}`),
  ];
}

export function stat(label: string, value: string, tone: Tone = "neutral"): HTMLElement {
  return el("div", { className: "stat", attrs: { "data-tone": tone } }, [
    el("span", { className: "muted", text: label }),
    el("strong", { text: value }),
  ]);
}

/** Bits per second as people read them; "—" for a node too old to report it. */
export function bitrate(bitsPerSecond: number | undefined): string {
  if (bitsPerSecond === undefined) return "—";
  if (bitsPerSecond >= 1e6) return `${(bitsPerSecond / 1e6).toFixed(1)} Mb/s`;
  return `${Math.round(bitsPerSecond / 1e3)} kb/s`;
}

function meter(cpu: number, workers: number): HTMLElement {
  const pct = Math.round(cpu * 100);
  const bar = el("span", { className: "meter-fill" });
  bar.style.width = `${Math.min(100, pct)}%`;
  bar.dataset.tone = cpu > 0.8 ? "poor" : cpu > 0.5 ? "fair" : "good";
  return el("span", { className: "meter", attrs: { title: `${pct} % of one core, mean over ${workers} worker(s)` } }, [
    el("span", { className: "meter-track" }, [bar]),
    el("span", { text: `${pct} %` }),
  ]);
}
