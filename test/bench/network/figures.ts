/**
 * The figures of a measurement window, from page samples: what a listener heard (concealment after
 * every recovery the receiver did, not wire loss) and what a viewer saw.
 */
import { effectiveLossImpairment, rFactorToMos } from "../../../sdk/src/client/quality.js";
import { round } from "../stats.js";
import type { AudioCounters, PageSample, VideoCounters } from "./samples.js";

/** docs/quality.md: MOS-LQ from concealment with Ie = 0, Bpl = 10 and no delay term. */
export const LISTENING_IMPAIRMENT = { ie: 0, bpl: 10 } as const;

export function mosLq(concealmentPercent: number): number {
  return rFactorToMos(93.2 - effectiveLossImpairment(LISTENING_IMPAIRMENT, concealmentPercent));
}

export interface AudioFigures {
  /** (concealedSamples − silentConcealedSamples) / totalSamplesReceived over the window, %. */
  concealmentPercent: number;
  /**
   * silentConcealedSamples / totalSamplesReceived, %: concealment NetEq faded to silence. Left out
   * of `concealmentPercent` by its definition, so at extreme loss (when most concealment has faded)
   * that figure falls again while the listener hears less: read the two together.
   */
  silentConcealmentPercent: number;
  mosLq: number;
  /** RTP packets never received (after retransmission), %: what the network did, not what was heard. */
  wireLossPercent: number;
  kbps: number;
  /** Mean jitter-buffer delay of the samples played in the window, ms. */
  jitterBufferMs: number | null;
}

export interface VideoFigures {
  fps: number;
  /** Height of the decoded picture at the window's samples: the lowest and the median. */
  minHeight: number;
  medianHeight: number;
  freezeCount: number;
  freezeSeconds: number;
  wireLossPercent: number;
  kbps: number;
  nacks: number;
  plis: number;
}

export interface PairFigures {
  receiver: string;
  sender: string;
  audio: AudioFigures | null;
  video: VideoFigures | null;
  /** Sample intervals (2 s) of the window in which no audio packet arrived. */
  silentSlices: number;
  /**
   * The call stayed up for this pair: the receiving page was still joined at the end of the window,
   * and once the network was clean again audio came back within the recovery time (call.ts
   * watches it and completes this).
   */
  stayedUp: boolean;
  /** Seconds from the clean network to audio packets and to decoded video again (null: not within the recovery time). */
  recovery?: { audioSeconds: number | null; videoSeconds: number | null };
}

/** A counter that went down means its stream was recreated (a new consumer): count from zero. */
function delta(end: number, start: number): number {
  return end >= start ? end - start : end;
}

function lossPercent(lost: number, received: number): number {
  return lost + received > 0 ? round((100 * lost) / (lost + received), 2) : 100;
}

export function audioFigures(start: AudioCounters | undefined, end: AudioCounters, seconds: number): AudioFigures {
  const s = start ?? zeroAudio();
  const total = delta(end.totalSamplesReceived, s.totalSamplesReceived);
  const silent = delta(end.silentConcealedSamples, s.silentConcealedSamples);
  const concealed = delta(end.concealedSamples, s.concealedSamples) - silent;
  // nothing played at all: nothing was heard
  const concealmentPercent = total > 0 ? round((100 * Math.max(0, concealed)) / total, 2) : 100;
  const emitted = delta(end.jitterBufferEmittedCount, s.jitterBufferEmittedCount);
  return {
    concealmentPercent,
    silentConcealmentPercent: total > 0 ? round((100 * silent) / total, 2) : 0,
    mosLq: round(mosLq(concealmentPercent), 2),
    wireLossPercent: lossPercent(delta(end.packetsLost, s.packetsLost), delta(end.packetsReceived, s.packetsReceived)),
    kbps: round((delta(end.bytesReceived, s.bytesReceived) * 8) / 1000 / seconds, 1),
    jitterBufferMs: emitted > 0 ? round((1000 * delta(end.jitterBufferDelay, s.jitterBufferDelay)) / emitted, 1) : null,
  };
}

export function videoFigures(start: VideoCounters | undefined, end: VideoCounters, heights: number[], seconds: number): VideoFigures {
  const s = start ?? zeroVideo();
  const sorted = [...heights].sort((a, b) => a - b);
  return {
    fps: round(delta(end.framesDecoded, s.framesDecoded) / seconds, 1),
    minHeight: sorted[0] ?? 0,
    medianHeight: sorted[Math.floor(sorted.length / 2)] ?? 0,
    freezeCount: delta(end.freezeCount, s.freezeCount),
    freezeSeconds: round(delta(end.totalFreezesDuration, s.totalFreezesDuration), 2),
    wireLossPercent: lossPercent(delta(end.packetsLost, s.packetsLost), delta(end.packetsReceived, s.packetsReceived)),
    kbps: round((delta(end.bytesReceived, s.bytesReceived) * 8) / 1000 / seconds, 1),
    nacks: delta(end.nackCount, s.nackCount),
    plis: delta(end.pliCount, s.pliCount),
  };
}

/** Figures for what `receiver` got from `sender` over the samples of one window (first = start, last = end). */
export function pairFigures(receiver: string, sender: string, samples: PageSample[]): PairFigures {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || samples.length < 2) throw new Error("a window needs at least two samples");
  const seconds = (last.at - first.at) / 1000;
  const endAudio = last.from[sender]?.audio;
  const endVideo = last.from[sender]?.video;
  let silentSlices = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]?.from[sender]?.audio;
    const b = samples[i]?.from[sender]?.audio;
    if (!b || delta(b.packetsReceived, a?.packetsReceived ?? 0) === 0) silentSlices++;
  }
  const heights = samples.slice(1).map((s) => s.from[sender]?.video?.frameHeight ?? 0);
  return {
    receiver,
    sender,
    audio: endAudio ? audioFigures(first.from[sender]?.audio, endAudio, seconds) : null,
    video: endVideo ? videoFigures(first.from[sender]?.video, endVideo, heights, seconds) : null,
    silentSlices,
    stayedUp: last.state === "joined" && last.roomState === "joined",
  };
}

function zeroAudio(): AudioCounters {
  return {
    packetsReceived: 0,
    packetsLost: 0,
    bytesReceived: 0,
    concealedSamples: 0,
    silentConcealedSamples: 0,
    totalSamplesReceived: 0,
    jitterBufferDelay: 0,
    jitterBufferEmittedCount: 0,
  };
}

function zeroVideo(): VideoCounters {
  return {
    packetsReceived: 0,
    packetsLost: 0,
    bytesReceived: 0,
    framesDecoded: 0,
    frameWidth: 0,
    frameHeight: 0,
    freezeCount: 0,
    totalFreezesDuration: 0,
    nackCount: 0,
    pliCount: 0,
  };
}
