/**
 * Just enough SDP to put a real WebRTC peer (@roamhq/wrtc) on a mediasoup WebRtcTransport with one
 * audio track, as mediasoup-client would: mediasoup is ICE-lite and DTLS server; the peer is DTLS client.
 */
import type { ConsumeResponse, TransportResponse } from "@parley/shared";

export interface LocalMedia {
  iceUfrag: string;
  fingerprint: { algorithm: "sha-256"; value: string };
  mid: string;
  opusPayloadType: number;
  ssrc: number;
  cname: string;
}

function line(sdp: string, pattern: RegExp, what: string): RegExpExecArray {
  const match = pattern.exec(sdp);
  if (!match) throw new Error(`SDP has no ${what}`);
  return match;
}

/** Reads what mediasoup needs from the peer's local description. */
export function parseLocal(sdp: string, withSsrc: boolean): LocalMedia {
  const ssrcMatch = withSsrc ? line(sdp, /^a=ssrc:(\d+) cname:(\S+)/m, "ssrc") : undefined;
  return {
    iceUfrag: line(sdp, /^a=ice-ufrag:(\S+)/m, "ice-ufrag")[1]!,
    fingerprint: { algorithm: "sha-256", value: line(sdp, /^a=fingerprint:sha-256 (\S+)/m, "sha-256 fingerprint")[1]! },
    mid: line(sdp, /^a=mid:(\S+)/m, "mid")[1]!,
    opusPayloadType: Number(line(sdp, /^a=rtpmap:(\d+) opus\/48000\/2/m, "opus")[1]),
    ssrc: ssrcMatch ? Number(ssrcMatch[1]) : 0,
    cname: ssrcMatch?.[2] ?? "",
  };
}

function transportLines(transport: TransportResponse, setup: "passive" | "actpass"): string[] {
  const fp = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === "sha-256")!;
  return [
    "c=IN IP4 127.0.0.1",
    "a=rtcp:9 IN IP4 0.0.0.0",
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    `a=fingerprint:sha-256 ${fp.value}`,
    `a=setup:${setup}`,
    "a=rtcp-mux",
    "a=rtcp-rsize",
    ...transport.iceCandidates.map(
      (c) =>
        `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host${c.tcpType ? ` tcptype ${c.tcpType}` : ""}`,
    ),
    "a=end-of-candidates",
  ];
}

const header = (mid: string) => [
  "v=0",
  `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
  "s=-",
  "t=0 0",
  `a=group:BUNDLE ${mid}`,
  "a=ice-lite",
  "a=msid-semantic: WMS *",
];

/** mediasoup's answer to the sending peer's offer: it receives the peer's Opus. */
export function answerForSender(local: LocalMedia, transport: TransportResponse): string {
  const pt = local.opusPayloadType;
  return `${[
    ...header(local.mid),
    `m=audio 9 UDP/TLS/RTP/SAVPF ${pt}`,
    `a=mid:${local.mid}`,
    "a=recvonly",
    ...transportLines(transport, "passive"),
    `a=rtpmap:${pt} opus/48000/2`,
    `a=fmtp:${pt} minptime=10;useinbandfec=1`,
  ].join("\r\n")}\r\n`;
}

/** mediasoup's offer to the receiving peer: one audio consumer. */
export function offerForReceiver(consumer: ConsumeResponse, transport: TransportResponse): string {
  const codec = consumer.rtpParameters.codecs[0]!;
  const encoding = consumer.rtpParameters.encodings![0]!;
  const mid = consumer.rtpParameters.mid ?? "0";
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(";");
  const cname = consumer.rtpParameters.rtcp?.cname ?? "parley";
  return `${[
    ...header(mid),
    `m=audio 9 UDP/TLS/RTP/SAVPF ${codec.payloadType}`,
    `a=mid:${mid}`,
    "a=sendonly",
    ...transportLines(transport, "actpass"),
    `a=rtpmap:${codec.payloadType} opus/48000/2`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    `a=msid:parley ${consumer.consumerId}`,
    `a=ssrc:${encoding.ssrc} cname:${cname}`,
    `a=ssrc:${encoding.ssrc} msid:parley ${consumer.consumerId}`,
  ].join("\r\n")}\r\n`;
}
