import type { TrackQuality } from "@parley/sdk/client";
import { el } from "./dom.js";

/** MOS bands as people read them: ≥ 4 good, ≥ 3.5 fair (noticeable), below that poor. */
export function mosTone(mos: number): "good" | "fair" | "poor" {
  return mos >= 4 ? "good" : mos >= 3.5 ? "fair" : "poor";
}

export function formatBitrate(bps: number): string {
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(1)} Mb/s`;
  if (bps >= 1000) return `${Math.round(bps / 1000)} kb/s`;
  return `${Math.round(bps)} b/s`;
}

function line(label: string, text: string, extra?: HTMLElement): HTMLElement {
  const row = el("div", {}, [el("span", { className: "label", text: label }), document.createTextNode(text)]);
  if (extra) row.append(extra);
  return row;
}

/**
 * Renders one tile's figures: video size/fps/bitrate, audio bitrate with MOS, then network
 * (loss, RTT). `tracks` are the tile's tracks from one getQuality() report.
 */
export function renderQuality(box: HTMLElement, tracks: TrackQuality[]): void {
  const rows: HTMLElement[] = [];
  const video = tracks.find((t) => t.kind === "video");
  const audio = tracks.find((t) => t.kind === "audio");
  if (video) {
    const size = video.width && video.height ? `${video.width}×${video.height}` : "no frames yet";
    const fps = video.fps ? ` · ${Math.round(video.fps)} fps` : "";
    rows.push(line("video", `${size}${fps} · ${formatBitrate(video.bitrate)}`));
  }
  if (audio) {
    const mos = audio.mos === null ? undefined : el("span", { className: "mos", text: ` · MOS ${audio.mos.toFixed(1)}` });
    if (mos && audio.mos !== null) mos.dataset.tone = mosTone(audio.mos);
    rows.push(line("audio", formatBitrate(audio.bitrate), mos));
  }
  if (tracks.length) {
    const lossPercent = Math.max(...tracks.map((t) => t.loss)) * 100;
    const rtts = tracks.map((t) => t.rttMs).filter((r): r is number => r !== null);
    const rtt = rtts.length ? `${Math.round(Math.max(...rtts))} ms` : "–";
    rows.push(line("network", `loss ${lossPercent.toFixed(1)}% · RTT ${rtt}`));
  }
  box.replaceChildren(...rows);
}
