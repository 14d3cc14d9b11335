/**
 * The minimal app's client: mediasoup-client on @roamhq/wrtc (the Chrome111 handler, as the SDK
 * uses in Node) over one WebSocket. What a mediasoup-demo peer does: load the device with the
 * router's capabilities, open a send and/or a receive transport, produce, consume what the room has.
 */
import { Device, type types } from "mediasoup-client";
import WebSocket from "ws";
import type { ConsumerOptions, WebRtcTransportOptions } from "../media-room.js";
import type { Method, Request, Response } from "./protocol.js";

type Body<M extends Method> = Omit<Extract<Request, { method: M }>, "id" | "method">;

interface JoinAnswer {
  rtpCapabilities: types.RtpCapabilities;
  producers: { id: string; kind: types.MediaKind }[];
}

export class MinimalAppClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #device = new Device({ handlerName: "Chrome111" });
  #nextId = 1;
  #send?: types.Transport;
  #recv?: types.Transport;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data) => {
      const response = JSON.parse(data.toString()) as Response;
      const pending = this.#pending.get(response.id);
      this.#pending.delete(response.id);
      if (response.error !== undefined) pending?.reject(new Error(response.error));
      else pending?.resolve(response.result);
    });
    socket.on("close", () => {
      for (const p of this.#pending.values()) p.reject(new Error("connection closed"));
      this.#pending.clear();
    });
  }

  /** Connects and joins: the device is loaded; returns the producers already in the room. */
  static async join(url: string): Promise<{ client: MinimalAppClient; producers: JoinAnswer["producers"] }> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => socket.once("open", () => resolve()).once("error", reject));
    const client = new MinimalAppClient(socket);
    const answer = (await client.#request("join", {})) as JoinAnswer;
    await client.#device.load({ routerRtpCapabilities: answer.rtpCapabilities });
    return { client, producers: answer.producers };
  }

  async produce(track: MediaStreamTrack): Promise<void> {
    this.#send ??= await this.#createTransport("send");
    await this.#send.produce({ track, stopTracks: false });
  }

  /** Consumes each producer on one receive transport; the server resumes it once the client has it. */
  async consume(producers: JoinAnswer["producers"]): Promise<types.Consumer[]> {
    this.#recv ??= await this.#createTransport("recv");
    const recv = this.#recv;
    return Promise.all(
      producers.map(async (p) => {
        const options = (await this.#request("consume", {
          transportId: recv.id,
          producerId: p.id,
          rtpCapabilities: this.#device.recvRtpCapabilities as Record<string, unknown>,
        })) as ConsumerOptions;
        const consumer = await recv.consume(options);
        await this.#request("resumeConsumer", { consumerId: consumer.id });
        return consumer;
      }),
    );
  }

  /** The receive transport's stats report (wrtc has no per-receiver getStats). */
  async receiveStats(): Promise<RTCStatsReport | undefined> {
    return this.#recv?.getStats();
  }

  close(): void {
    this.#send?.close();
    this.#recv?.close();
    this.#socket.close();
  }

  async #createTransport(direction: "send" | "recv"): Promise<types.Transport> {
    const options = (await this.#request("createTransport", { direction })) as WebRtcTransportOptions;
    const transportOptions = { ...options, iceServers: [] };
    const transport =
      direction === "send" ? this.#device.createSendTransport(transportOptions) : this.#device.createRecvTransport(transportOptions);
    transport.on("connect", ({ dtlsParameters }, callback, errback) => {
      this.#request("connectTransport", {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as unknown as Record<string, unknown>,
      }).then(() => callback(), errback);
    });
    transport.on("produce", ({ kind, rtpParameters }, callback, errback) => {
      this.#request("produce", {
        transportId: transport.id,
        kind,
        rtpParameters: rtpParameters as unknown as Record<string, unknown>,
      }).then((result) => callback(result as { id: string }), errback);
    });
    return transport;
  }

  #request<M extends Method>(method: M, body: Body<M>): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, ...body }));
    });
  }
}
