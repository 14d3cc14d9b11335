/**
 * The minimal app's client: one WebSocket carrying a MediasoupPeer's calls to MinimalAppServer, as
 * a mediasoup-demo peer talks to its server.
 */
import type { types } from "mediasoup-client";
import WebSocket from "ws";
import type { ConsumerOptions, WebRtcTransportOptions } from "../media-room.js";
import { MediasoupPeer, type PeerSignal } from "../peer.js";
import type { Method, Request, Response } from "./protocol.js";

type Body<M extends Method> = Omit<Extract<Request, { method: M }>, "id" | "method">;
type Loose = Record<string, unknown>;

interface JoinAnswer {
  rtpCapabilities: types.RtpCapabilities;
  producers: { id: string; kind: types.MediaKind }[];
}

export class MinimalAppClient implements PeerSignal {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

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

  /** Connects and joins: returns a loaded peer and the producers already in the room. */
  static async join(url: string): Promise<{ client: MinimalAppClient; peer: MediasoupPeer; producers: JoinAnswer["producers"] }> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => socket.once("open", () => resolve()).once("error", reject));
    const client = new MinimalAppClient(socket);
    const answer = (await client.#request("join", {})) as JoinAnswer;
    const peer = await MediasoupPeer.load(client, answer.rtpCapabilities);
    return { client, peer, producers: answer.producers };
  }

  async createTransport(direction: "send" | "recv"): Promise<WebRtcTransportOptions> {
    return (await this.#request("createTransport", { direction })) as WebRtcTransportOptions;
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.#request("connectTransport", { transportId, dtlsParameters: dtlsParameters as unknown as Loose });
  }

  async produce(transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters): Promise<string> {
    return ((await this.#request("produce", { transportId, kind, rtpParameters: rtpParameters as unknown as Loose })) as { id: string }).id;
  }

  async consume(transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerOptions> {
    return (await this.#request("consume", {
      transportId,
      producerId,
      rtpCapabilities: rtpCapabilities as unknown as Loose,
    })) as ConsumerOptions;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#request("resumeConsumer", { consumerId });
  }

  close(): void {
    this.#socket.close();
  }

  #request<M extends Method>(method: M, body: Body<M>): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, ...body }));
    });
  }
}
