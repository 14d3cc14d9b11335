/**
 * A real WebRTC publisher for recording tests: one @roamhq/wrtc peer sending a synthetic camera
 * (VP8) and/or microphone (Opus) over one send transport, produced through the control API the way
 * the Room DO does it.
 */
import type { TransportResponse } from "@parley/shared";
import wrtc from "@roamhq/wrtc";
import { type ControlClient, waitFor } from "./helpers.js";

export interface Publisher {
  producers: { audio?: string; video?: string };
  /** Tone on (the default) or silence: the audio level the node's active speaker observer hears. */
  speaking(on: boolean): void;
  close(): void;
}

/** The camera's colour (chroma U, V); the luma carries the moving pattern. */
export interface CameraColour {
  u: number;
  v: number;
}

export const COLOURS = { grey: { u: 128, v: 128 }, red: { u: 90, v: 240 }, green: { u: 60, v: 60 }, blue: { u: 240, v: 100 } } as const;

const AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

interface Section {
  kind: "audio" | "video";
  mid: string;
  payloadType: number;
  ssrc: number;
  cname: string;
  /** The offer's id for the audio level header extension (audio only). */
  audioLevelId?: number;
}

const CODEC = { audio: { name: "opus", clockRate: 48000, channels: 2 }, video: { name: "VP8", clockRate: 90000 } } as const;

interface Source {
  track: MediaStreamTrack;
  stop(): void;
}

function tone(): Source & { loud: boolean } {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const samples = new Int16Array(480);
  let phase = 0;
  const state = { loud: true };
  const timer = setInterval(() => {
    for (let i = 0; i < samples.length; i++, phase++) {
      // Syllables: the level swings 2.5 times a second, as speech does; the active speaker
      // observer measures activity above each speaker's own floor, so a steady tone would not count.
      const envelope = state.loud ? 0.1 + 0.9 * Math.abs(Math.sin((phase * 2 * Math.PI * 2.5) / 48000)) : 0;
      samples[i] = Math.round(8000 * envelope * Math.sin((phase * 2 * Math.PI * 440) / 48000));
    }
    source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  const track = source.createTrack();
  return Object.assign(state, {
    track,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  });
}

/** A moving test pattern, small enough to keep two cores free for everything else. */
function camera(colour: CameraColour, width = 320, height = 180, fps = 15): Source {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const data = new Uint8Array(width * height * 1.5);
  const quarter = (width * height) / 4;
  data.fill(colour.u, width * height, width * height + quarter);
  data.fill(colour.v, width * height + quarter);
  let n = 0;
  const timer = setInterval(() => {
    const bar = (n++ * 8) % width;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data[y * width + x] = Math.abs(x - bar) < 12 ? 235 : ((x + y + n) & 63) + 40;
    source.onFrame({ width, height, data });
  }, 1000 / fps);
  const track = source.createTrack();
  return {
    track,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}

function sections(sdp: string): Section[] {
  return sdp
    .split(/\r?\nm=/)
    .slice(1)
    .map((body) => {
      const kind = body.startsWith("audio") ? "audio" : "video";
      const name = CODEC[kind].name;
      const pt = new RegExp(`a=rtpmap:(\\d+) ${name}/`, "i").exec(body)?.[1];
      const ssrc = /a=ssrc:(\d+) cname:(\S+)/.exec(body);
      if (!pt || !ssrc) throw new Error(`offer has no ${name} payload type or ssrc`);
      const level = new RegExp(`a=extmap:(\\d+) ${AUDIO_LEVEL_URI}`).exec(body)?.[1];
      return {
        kind,
        mid: /a=mid:(\S+)/.exec(body)![1]!,
        payloadType: Number(pt),
        ssrc: Number(ssrc[1]),
        cname: ssrc[2]!,
        ...(kind === "audio" && level ? { audioLevelId: Number(level) } : {}),
      };
    });
}

function answer(offer: string, secs: Section[], transport: TransportResponse): string {
  const fp = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === "sha-256")!;
  const lines = [
    "v=0",
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    "s=-",
    "t=0 0",
    `a=group:BUNDLE ${secs.map((s) => s.mid).join(" ")}`,
    "a=ice-lite",
  ];
  for (const s of secs) {
    const c = CODEC[s.kind];
    lines.push(
      `m=${s.kind} 9 UDP/TLS/RTP/SAVPF ${s.payloadType}`,
      "c=IN IP4 127.0.0.1",
      `a=mid:${s.mid}`,
      "a=recvonly",
      `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
      `a=ice-pwd:${transport.iceParameters.password}`,
      `a=fingerprint:sha-256 ${fp.value}`,
      "a=setup:passive",
      "a=rtcp-mux",
      "a=rtcp-rsize",
      ...transport.iceCandidates.map(
        (k) =>
          `a=candidate:${k.foundation} 1 ${k.protocol} ${k.priority} ${k.address} ${k.port} typ host${k.tcpType ? ` tcptype ${k.tcpType}` : ""}`,
      ),
      "a=end-of-candidates",
      `a=rtpmap:${s.payloadType} ${c.name}/${c.clockRate}${"channels" in c ? `/${c.channels}` : ""}`,
      ...(s.kind === "video" ? ["nack", "nack pli", "ccm fir"].map((fb) => `a=rtcp-fb:${s.payloadType} ${fb}`) : []),
      // The audio level extension is what mediasoup's active speaker observer listens to.
      ...(s.audioLevelId === undefined ? [] : [`a=extmap:${s.audioLevelId} ${AUDIO_LEVEL_URI}`]),
    );
  }
  void offer;
  return `${lines.join("\r\n")}\r\n`;
}

/** Joins `member` to the room on `node` and publishes the requested tracks; resolves once RTP flows. */
export async function publish(
  node: ControlClient,
  room: string,
  member: string,
  kinds: ("audio" | "video")[],
  colour: CameraColour = COLOURS.grey,
): Promise<Publisher> {
  const R = `/rooms/${encodeURIComponent(room)}`;
  const ok = async (method: string, path: string, body?: unknown) => {
    const { status, json } = await node.call(method, path, room, body);
    if (status !== 200) throw new Error(`${method} ${path} → ${status} ${JSON.stringify(json)}`);
    return json;
  };
  await ok("POST", `${R}/router`, {});
  const transport = (await ok("POST", `${R}/transports`, { direction: "send", member })) as TransportResponse;
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const mic = kinds.includes("audio") ? tone() : undefined;
  const sources = kinds.map((k) => (k === "audio" && mic ? mic : camera(colour)));
  for (const s of sources) pc.addTransceiver(s.track, { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription!.sdp;
  const fingerprint = /a=fingerprint:sha-256 (\S+)/.exec(offer)![1]!;
  await ok("POST", `${R}/transports/${transport.transportId}/connect`, {
    dtlsParameters: { role: "client", fingerprints: [{ algorithm: "sha-256", value: fingerprint }] },
  });
  const secs = sections(offer);
  const producers: Publisher["producers"] = {};
  for (const s of secs) {
    const c = CODEC[s.kind];
    const produced = await ok("POST", `${R}/transports/${transport.transportId}/produce`, {
      kind: s.kind,
      rtpParameters: {
        mid: s.mid,
        codecs: [
          {
            mimeType: `${s.kind}/${c.name}`,
            payloadType: s.payloadType,
            clockRate: c.clockRate,
            ...("channels" in c ? { channels: c.channels } : {}),
            // Without PLI/FIR feedback mediasoup cannot ask this sender for keyframes.
            ...(s.kind === "video"
              ? { rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }] }
              : {}),
          },
        ],
        headerExtensions: s.audioLevelId === undefined ? [] : [{ uri: AUDIO_LEVEL_URI, id: s.audioLevelId }],
        encodings: [{ ssrc: s.ssrc }],
        rtcp: { cname: s.cname, reducedSize: true },
      },
      appData: { source: s.kind === "audio" ? "microphone" : "camera" },
    });
    producers[s.kind] = produced.producerId;
  }
  await pc.setRemoteDescription({ type: "answer", sdp: answer(offer, secs, transport) });
  await waitFor(() => (pc.connectionState === "connected" ? true : undefined), `${member} connected`);
  // A producer score means RTP reached the node.
  for (const id of Object.values(producers))
    await node.waitForEvent((e): e is never => e.type === "producer.score" && e.producerId === id && e.scores.length > 0);
  return {
    producers,
    speaking: (on) => {
      if (mic) mic.loud = on;
    },
    close: () => {
      for (const s of sources) s.stop();
      pc.close();
    },
  };
}
