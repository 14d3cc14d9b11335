/**
 * Real mediasoup workers and a real WebRTC peer (@roamhq/wrtc, no STUN/TURN, 127.0.0.1 only):
 * router, transports, ICE+DTLS to "connected", produce, consume with RTP arriving at the receiver,
 * and a room close that leaves nothing behind on the workers.
 */

import { ConsumeResponse, type NodeEvent, RestartIceResponse, RouterResponse, TransportResponse } from "@parley/shared";
import wrtc from "@roamhq/wrtc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode, waitFor } from "./helpers.js";
import { answerForSender, offerForReceiver, parseLocal } from "./sdp.js";

const ROOM = "ak_test:media-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;

let node: TestNode;
const peers: RTCPeerConnection[] = [];
let audioTimer: NodeJS.Timeout | undefined;

beforeAll(async () => {
  node = await startTestNode({ rtcBasePort: 21200 });
});
afterAll(async () => {
  clearInterval(audioTimer);
  for (const pc of peers) pc.close();
  await node?.stop();
});

async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
  const { status, json } = await node.call(method, path, ROOM, body);
  if (status !== 200) throw new Error(`${method} ${path} → ${status} ${JSON.stringify(json)}`);
  return json as T;
}

/** A sine tone fed into a wrtc audio track every 10 ms, so the producer gets real Opus RTP. */
function toneTrack(): MediaStreamTrack {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const samples = new Int16Array(480);
  let phase = 0;
  audioTimer = setInterval(() => {
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((phase++ * 2 * Math.PI * 440) / 48000));
    source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  return source.createTrack();
}

const isDtlsConnected =
  (transportId: string) =>
  (e: NodeEvent): e is Extract<NodeEvent, { type: "transport.state" }> =>
    e.type === "transport.state" && e.transportId === transportId && e.layer === "dtls" && e.state === "connected";

describe("media over a real WebRTC peer", () => {
  let router: RouterResponse;
  let send: TransportResponse;
  let recv: TransportResponse;
  let producerId: string;
  let consumer: ConsumeResponse;

  it("creates the room's router with the configured codecs", async () => {
    router = await ok<RouterResponse>("POST", `${R}/router`, {});
    // The edge parses every answer with the shared response schemas: they must hold for real ones.
    RouterResponse.parse(router);
    const again = await ok<RouterResponse>("POST", `${R}/router`, {});
    expect(again.routerId).toBe(router.routerId);
    const codecs = router.rtpCapabilities.codecs ?? [];
    const mimes = new Set(codecs.map((c) => c.mimeType));
    for (const mime of ["audio/opus", "audio/PCMU", "audio/PCMA", "audio/G722", "video/VP8", "video/VP9", "video/H264", "video/AV1"])
      expect(mimes).toContain(mime);
    const opus = codecs.find((c) => c.mimeType === "audio/opus")!;
    expect(opus.parameters).toMatchObject({ useinbandfec: 1, usedtx: 1 });
    const h264Profiles = codecs.filter((c) => c.mimeType === "video/H264").map((c) => c.parameters?.["profile-level-id"]);
    expect(h264Profiles).toEqual(expect.arrayContaining(["42e01f", "42001f", "4d001f"]));
    const vp8Feedback = codecs.find((c) => c.mimeType === "video/VP8")!.rtcpFeedback!.map((f) => `${f.type} ${f.parameter ?? ""}`.trim());
    expect(vp8Feedback).toEqual(expect.arrayContaining(["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"]));
  });

  it("creates send and recv transports on the worker's WebRtcServer", async () => {
    send = await ok<TransportResponse>("POST", `${R}/transports`, { direction: "send", member: "m_alice0001" });
    recv = await ok<TransportResponse>("POST", `${R}/transports`, { direction: "recv", member: "m_bob000001" });
    TransportResponse.parse(send);
    TransportResponse.parse(recv);
    expect(send.iceParameters.iceLite).toBe(true);
    const protocols = send.iceCandidates.map((c) => `${c.protocol}:${c.address}`);
    expect(protocols).toEqual(expect.arrayContaining(["udp:127.0.0.1", "tcp:127.0.0.1"]));
    expect(new Set(send.iceCandidates.map((c) => c.port)).size).toBe(1); // one UDP+TCP port per worker
    const summary = await ok<{ transports: number }>("GET", R);
    expect(summary.transports).toBe(2);
  });

  it("connects a real peer (ICE + DTLS) and produces its audio", async () => {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    peers.push(pc);
    pc.addTransceiver(toneTrack(), { direction: "sendonly" });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const local = parseLocal(pc.localDescription!.sdp, true);
    await ok("POST", `${R}/transports/${send.transportId}/connect`, {
      dtlsParameters: { role: "client", fingerprints: [local.fingerprint] },
    });
    const produced = await ok<{ producerId: string }>("POST", `${R}/transports/${send.transportId}/produce`, {
      kind: "audio",
      rtpParameters: {
        mid: local.mid,
        codecs: [
          {
            mimeType: "audio/opus",
            payloadType: local.opusPayloadType,
            clockRate: 48000,
            channels: 2,
            parameters: { minptime: 10, useinbandfec: 1 },
          },
        ],
        headerExtensions: [],
        encodings: [{ ssrc: local.ssrc }],
        rtcp: { cname: local.cname, reducedSize: true },
      },
      appData: { source: "microphone" },
    });
    producerId = produced.producerId;
    await pc.setRemoteDescription({ type: "answer", sdp: answerForSender(local, send) });
    await node.waitForEvent(isDtlsConnected(send.transportId));
    await waitFor(() => (pc.connectionState === "connected" ? true : undefined), "sender peer connected");
    const score = await node.waitForEvent(
      (e): e is Extract<NodeEvent, { type: "producer.score" }> => e.type === "producer.score" && e.producerId === producerId,
    );
    expect(score.scores[0]!.ssrc).toBe(local.ssrc);
  });

  it("consumes the producer on a second real peer, paused until resumed, and RTP arrives", async () => {
    const opus = router.rtpCapabilities.codecs!.find((c) => c.mimeType === "audio/opus")!;
    consumer = await ok<ConsumeResponse>("POST", `${R}/transports/${recv.transportId}/consume`, {
      producerId,
      rtpCapabilities: { codecs: [opus], headerExtensions: [] },
    });
    ConsumeResponse.parse(consumer);
    expect(consumer).toMatchObject({ producerId, kind: "audio", type: "simple", appData: { source: "microphone", member: "m_alice0001" } });

    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    peers.push(pc);
    await pc.setRemoteDescription({ type: "offer", sdp: offerForReceiver(consumer, recv) });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const local = parseLocal(pc.localDescription!.sdp, false);
    await ok("POST", `${R}/transports/${recv.transportId}/connect`, {
      dtlsParameters: { role: "client", fingerprints: [local.fingerprint] },
    });
    await node.waitForEvent(isDtlsConnected(recv.transportId));
    await ok("POST", `${R}/consumers/${consumer.consumerId}/resume`, {});
    const packets = await waitFor(async () => {
      const stats = await pc.getStats();
      let received = 0;
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") received += s.packetsReceived ?? 0;
      });
      return received > 20 ? received : undefined;
    }, "RTP packets at the receiving peer");
    expect(packets).toBeGreaterThan(20);
    const restarted = RestartIceResponse.parse(await ok("POST", `${R}/transports/${recv.transportId}/restart-ice`, {}));
    expect(restarted.iceParameters.usernameFragment).not.toBe(recv.iceParameters.usernameFragment);
  });

  it("reports a closed producer and the consumers it took with it", async () => {
    await ok("DELETE", `${R}/producers/${producerId}`);
    await node.waitForEvent((e): e is NodeEvent => e.type === "producer.closed" && e.producerId === producerId);
    const closed = await node.waitForEvent(
      (e): e is Extract<NodeEvent, { type: "consumer.closed" }> => e.type === "consumer.closed" && e.consumerId === consumer.consumerId,
    );
    expect(closed.reason).toBe("producer-closed");
  });

  it("closing the room leaves no router or transport on any worker", async () => {
    await ok("DELETE", R);
    expect(node.service.node.counts()).toMatchObject({ rooms: 0, routers: 0, transports: 0, producers: 0, consumers: 0 });
    for (const slot of node.service.node.pool.slots) {
      const dump = await slot.worker.dump();
      expect(dump.routerIds).toEqual([]);
      const server = await slot.webRtcServer.dump();
      expect(server.webRtcTransportIds).toEqual([]);
    }
    const metrics = await (await fetch(`${node.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_routers\{[^}]*\} 0$/m);
    expect(metrics).toMatch(/^parley_transports\{[^}]*\} 0$/m);
    const gone = await node.call("GET", R, ROOM);
    expect(gone.json.error.code).toBe("ROOM_NOT_ON_NODE");
    expect(node.events.some((e) => e.type === "room.closed" && e.room === ROOM && e.reason === "closed")).toBe(true);
  });

  it("closes a room by itself when its last transport goes", async () => {
    const room = "ak_test:short-lived";
    const path = `/rooms/${encodeURIComponent(room)}`;
    await node.call("POST", `${path}/router`, room, {});
    const t = await node.call("POST", `${path}/transports`, room, { direction: "send" });
    expect(t.status).toBe(200);
    expect((await node.call("DELETE", `${path}/transports/${t.json.transportId}`, room)).status).toBe(200);
    expect(node.service.node.rooms.has(room)).toBe(false);
    await node.waitForEvent((e): e is NodeEvent => e.type === "room.closed" && e.room === room && e.reason === "empty");
  });
});
