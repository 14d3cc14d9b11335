/**
 * Real encoded media for the recording benchmark, cheaply: one short VP8 + Opus clip is encoded
 * once, then each "member" is an ffmpeg replaying it in a loop with `-c copy` as RTP into two
 * PlainTransport producers (comedia). No encoder runs while measuring, so the cores go to what is
 * measured; and unlike synthetic payloads, every packet is media ffmpeg's demuxers and decoders
 * accept (an RTP payload the recorder's ffmpeg cannot parse is dropped before it reaches the file).
 *
 * The producers' payload types and SSRCs are the ones the sending ffmpeg is told to use; mediasoup
 * rewrites both for each consumer, and the recorder's SDP is written from the consumer.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { types } from "mediasoup";

const run = promisify(execFile);

export interface ClipSettings {
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  /** A keyframe this often: nothing answers the recorders' PLIs, so this is how long a new recorder may wait for one. */
  keyframeSeconds: number;
  seconds: number;
}

/** Encodes the looped clip: a moving test pattern (VP8) and a tone (Opus, 20 ms frames) in WebM. */
export async function encodeClip(dir: string, s: ClipSettings): Promise<string> {
  const file = join(dir, "member.webm");
  await run("ffmpeg", [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `testsrc2=s=${s.width}x${s.height}:r=${s.fps}`, "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000"],
    ...["-t", String(s.seconds), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", `${s.videoKbps}k`],
    ...["-g", String(s.fps * s.keyframeSeconds), "-c:a", "libopus", "-b:a", "32k", "-ac", "2", file],
  ]);
  return file;
}

const VIDEO = { payloadType: 101, mimeType: "video/VP8", clockRate: 90000 } as const;
const AUDIO = { payloadType: 100, mimeType: "audio/opus", clockRate: 48000, channels: 2 } as const;

/** One simulated member: an audio and a video producer fed by a looping ffmpeg. */
export class ClipMember {
  readonly audio: types.Producer;
  readonly video: types.Producer;
  readonly #ffmpeg: ChildProcess;
  readonly #transports: types.PlainTransport[];

  private constructor(audio: types.Producer, video: types.Producer, ffmpeg: ChildProcess, transports: types.PlainTransport[]) {
    this.audio = audio;
    this.video = video;
    this.#ffmpeg = ffmpeg;
    this.#transports = transports;
  }

  static async start(router: types.Router, clip: string, member: string, ssrcBase: number): Promise<ClipMember> {
    const open = () => router.createPlainTransport({ listenInfo: { protocol: "udp", ip: "127.0.0.1" }, rtcpMux: false, comedia: true });
    const [vt, at] = [await open(), await open()];
    const produce = (t: types.PlainTransport, kind: "audio" | "video", codec: typeof VIDEO | typeof AUDIO, ssrc: number) =>
      t.produce({
        kind,
        rtpParameters: { codecs: [{ ...codec }], encodings: [{ ssrc }], headerExtensions: [] },
        appData: { member },
      });
    const video = await produce(vt, "video", VIDEO, ssrcBase);
    const audio = await produce(at, "audio", AUDIO, ssrcBase + 1);
    const url = (t: types.PlainTransport) => `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple?.localPort}&pkt_size=1200`;
    const ffmpeg = spawn(
      "ffmpeg",
      [
        ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip],
        ...["-map", "0:v", "-c", "copy", "-f", "rtp", "-payload_type", String(VIDEO.payloadType), "-ssrc", String(ssrcBase), url(vt)],
        ...["-map", "0:a", "-c", "copy", "-f", "rtp", "-payload_type", String(AUDIO.payloadType), "-ssrc", String(ssrcBase + 1), url(at)],
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    return new ClipMember(audio, video, ffmpeg, [vt, at]);
  }

  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  /** Resolves once both producers have received RTP (mediasoup's byte count moves). */
  async flowing(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [a, v] = await Promise.all([this.audio.getStats(), this.video.getStats()]);
      if ((a[0]?.byteCount ?? 0) > 0 && (v[0]?.byteCount ?? 0) > 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the clip's RTP never reached mediasoup");
  }

  close(): void {
    this.#ffmpeg.kill("SIGKILL");
    for (const t of this.#transports) t.close();
  }
}
