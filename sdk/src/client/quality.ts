/**
 * Call quality from WebRTC stats, and an E-model MOS estimate (ITU-T G.107, simplified):
 *
 *   R = 93.2 − Id − Ie,eff
 *   Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)     d = one-way delay (ms) = RTT/2 + 2·jitter + 20
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl + Bpl)       Ppl = packet loss (%), Ie/Bpl per codec
 *   MOS = 1 + 0.035·R + 7·10⁻⁶ · R·(R − 60)·(100 − R), clamped to [1, 4.5]
 *
 * docs/quality.md explains the choices (codec constants, jitter-buffer allowance).
 */
export interface TrackQuality {
  /** Producer (track) id for sent tracks; the remote track id for received ones. */
  trackId: string;
  direction: "send" | "recv";
  kind: "audio" | "video";
  /** For received tracks: the member who publishes it. */
  member?: string;
  /** Bits per second since the previous sample (0 on the first). */
  bitrate: number;
  /** Packets sent or received so far. */
  packets: number;
  packetsLost: number;
  /** Fraction of packets lost since the previous sample, 0..1. */
  loss: number;
  jitterMs: number | null;
  rttMs: number | null;
  fps: number | null;
  width: number | null;
  height: number | null;
  framesDecoded: number | null;
  /** Received video: ms of the interval without a new frame (freezes, or no frames while unmuted). */
  stalledMs: number | null;
  audioLevel: number | null;
  mos: number | null;
}

export interface QualityReport {
  at: number;
  tracks: TrackQuality[];
  /** The worst audio MOS of the call (null when no audio flows). */
  mos: number | null;
}

/** Codec impairment (Ie) and packet-loss robustness (Bpl), per G.113 where it has them. */
const CODEC_IMPAIRMENT: Record<string, { ie: number; bpl: number }> = {
  "audio/opus": { ie: 0, bpl: 20 }, // in-band FEC and PLC: loss hurts slowly
  "audio/pcmu": { ie: 0, bpl: 25.1 },
  "audio/pcma": { ie: 0, bpl: 25.1 },
  "audio/g722": { ie: 0, bpl: 10 },
};

export function eModelMos(input: { rttMs: number; jitterMs: number; lossPercent: number; codec?: string }): number {
  const codec = CODEC_IMPAIRMENT[input.codec?.toLowerCase() ?? "audio/opus"] ?? { ie: 10, bpl: 10 };
  const d = input.rttMs / 2 + 2 * input.jitterMs + 20;
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  return rFactorToMos(93.2 - id - effectiveLossImpairment(codec, input.lossPercent));
}

/** G.107's Ie,eff: the codec's impairment plus what `lossPercent` of lost (or concealed) audio adds. */
export function effectiveLossImpairment(codec: { ie: number; bpl: number }, lossPercent: number): number {
  const ppl = Math.max(0, lossPercent);
  return codec.ie + ((95 - codec.ie) * ppl) / (ppl + codec.bpl);
}

/** G.107's R → MOS mapping, clamped to [1, 4.5]. */
export function rFactorToMos(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return Math.min(4.5, Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)));
}

type Stat = Record<string, unknown> & { type: string; id: string; timestamp: number };

interface Sample {
  bytes: number;
  packets: number;
  lost: number;
  at: number;
  framesDecoded: number;
  freezeSeconds: number | null;
}

/** Turns successive getStats() reports into per-track figures; keeps the previous sample per track. */
export class QualityMeter {
  #previous = new Map<string, Sample>();

  measure(
    trackId: string,
    direction: "send" | "recv",
    kind: "audio" | "video",
    report: Map<string, Record<string, unknown> & { id: string; type: string; timestamp: number }>,
  ): TrackQuality {
    const stats = [...report.values()] as Stat[];
    const byId = new Map(stats.map((s) => [s.id, s]));
    const rtp = stats.filter((s) => s.type === (direction === "send" ? "outbound-rtp" : "inbound-rtp") && (s.kind ?? s.mediaType) === kind);
    const num = (s: Stat | undefined, k: string) => (typeof s?.[k] === "number" ? (s[k] as number) : 0);
    const bytes = rtp.reduce((n, s) => n + num(s, direction === "send" ? "bytesSent" : "bytesReceived"), 0);
    const packets = rtp.reduce((n, s) => n + num(s, direction === "send" ? "packetsSent" : "packetsReceived"), 0);
    const remote = direction === "send" ? stats.filter((s) => s.type === "remote-inbound-rtp" && s.kind === kind) : [];
    const lost =
      direction === "send" ? remote.reduce((n, s) => n + num(s, "packetsLost"), 0) : rtp.reduce((n, s) => n + num(s, "packetsLost"), 0);
    const pair = stats.find((s) => s.type === "candidate-pair" && (s.nominated || s.selected) && s.state === "succeeded");
    const rttSeconds = num(remote[0], "roundTripTime") || num(pair, "currentRoundTripTime");
    const jitterSeconds = direction === "send" ? num(remote[0], "jitter") : num(rtp[0], "jitter");
    const top = rtp.reduce<Stat | undefined>((best, s) => (num(s, "frameWidth") > num(best, "frameWidth") ? s : best), rtp[0]);
    // the stats' own clock: the interval between two reports is what the byte counts cover
    const now = rtp.length ? Math.max(...rtp.map((s) => s.timestamp)) : Date.now();
    const prev = this.#previous.get(`${direction}:${trackId}`);
    const framesDecoded = num(top, "framesDecoded");
    const freezeSeconds = typeof top?.totalFreezesDuration === "number" ? top.totalFreezesDuration : null;
    this.#previous.set(`${direction}:${trackId}`, { bytes, packets, lost, at: now, framesDecoded, freezeSeconds });
    const seconds = prev ? (now - prev.at) / 1000 : 0;
    const bitrate = prev && seconds > 0 ? Math.max(0, ((bytes - prev.bytes) * 8) / seconds) : 0;
    const newLost = prev ? Math.max(0, lost - prev.lost) : lost;
    const newPackets = prev ? Math.max(0, packets - prev.packets) : packets;
    const loss = newLost + newPackets > 0 ? newLost / (newLost + newPackets) : 0;
    const codec = byId.get(String(rtp[0]?.codecId ?? "")) as Stat | undefined;
    const rttMs = rttSeconds ? rttSeconds * 1000 : null;
    const jitterMs = jitterSeconds ? jitterSeconds * 1000 : direction === "recv" && rtp.length ? 0 : null;
    return {
      trackId,
      direction,
      kind,
      bitrate: Math.round(bitrate),
      packets,
      packetsLost: lost,
      loss,
      jitterMs,
      rttMs,
      fps: kind === "video" ? num(top, "framesPerSecond") || null : null,
      width: kind === "video" ? num(top, "frameWidth") || null : null,
      height: kind === "video" ? num(top, "frameHeight") || null : null,
      framesDecoded: kind === "video" && direction === "recv" ? framesDecoded : null,
      stalledMs: kind === "video" && direction === "recv" && prev ? stalledMs(prev, framesDecoded, freezeSeconds, now - prev.at) : null,
      audioLevel: kind === "audio" && typeof rtp[0]?.audioLevel === "number" ? (rtp[0].audioLevel as number) : null,
      mos:
        kind === "audio" && packets > 0
          ? eModelMos({
              rttMs: rttMs ?? 0,
              jitterMs: jitterMs ?? 0,
              lossPercent: loss * 100,
              codec: String(codec?.mimeType ?? "audio/opus"),
            })
          : null,
    };
  }
}

/** Browsers report freezes (totalFreezesDuration); elsewhere an interval with no new frame is stalled whole. */
function stalledMs(prev: Sample, framesDecoded: number, freezeSeconds: number | null, intervalMs: number): number {
  if (freezeSeconds !== null && prev.freezeSeconds !== null) return Math.max(0, Math.round((freezeSeconds - prev.freezeSeconds) * 1000));
  return framesDecoded > prev.framesDecoded ? 0 : Math.max(0, Math.round(intervalMs));
}
