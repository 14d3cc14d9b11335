/**
 * The anchor for join → first frame: a minimal mediasoup application, what mediasoup-demo's server
 * does and nothing more — a WebSocket per peer, one room (BareRoom: one worker, one router), send
 * and receive WebRTC transports, produce, consume (paused, resumed when the client has it). No
 * Parley code; the clients are the same @roamhq/wrtc + mediasoup-client stack the SDK runs on.
 */
import type { AddressInfo } from "node:net";
import type { types } from "mediasoup";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { BareRoom } from "../bare-room.js";
import { MAX_FRAME_BYTES, Request, type Response } from "./protocol.js";

export class MinimalAppServer {
  readonly room: BareRoom;
  readonly #wss: WebSocketServer;
  /** Producers in the room, announced to every peer that joins. */
  readonly #producers = new Map<string, types.MediaKind>();

  private constructor(room: BareRoom, wss: WebSocketServer) {
    this.room = room;
    this.#wss = wss;
    wss.on("connection", (socket) => this.#onPeer(socket));
  }

  static async start(): Promise<MinimalAppServer> {
    const room = await BareRoom.open();
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: MAX_FRAME_BYTES });
    await new Promise<void>((resolve, reject) => wss.once("listening", resolve).once("error", reject));
    return new MinimalAppServer(room, wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await this.room.close();
  }

  #onPeer(socket: WebSocket): void {
    const transports = new Set<string>();
    const producers = new Set<string>();
    socket.on("message", (data: RawData) => {
      let id = -1;
      void (async () => {
        const raw = JSON.parse(data.toString()) as { id?: unknown };
        id = typeof raw.id === "number" ? raw.id : -1;
        const request = Request.parse(raw);
        return this.#handle(request, transports, producers);
      })().then(
        (result) => send(socket, { id, result }),
        (error: Error) => send(socket, { id, error: error.message }),
      );
    });
    // A peer that leaves takes its transports (and so its producers and consumers) with it.
    socket.on("close", () => {
      for (const t of transports) this.room.closeTransport(t);
      for (const p of producers) this.#producers.delete(p);
    });
  }

  async #handle(request: Request, transports: Set<string>, producers: Set<string>): Promise<unknown> {
    switch (request.method) {
      case "join":
        return { rtpCapabilities: this.room.rtpCapabilities, producers: [...this.#producers].map(([id, kind]) => ({ id, kind })) };
      case "createTransport": {
        const transport = await this.room.createTransport(request.direction);
        transports.add(transport.id);
        return transport;
      }
      case "connectTransport":
        this.#own(transports, request.transportId);
        await this.room.connectTransport(request.transportId, request.dtlsParameters as unknown as types.DtlsParameters);
        return {};
      case "produce": {
        this.#own(transports, request.transportId);
        const id = await this.room.produce(request.transportId, request.kind, request.rtpParameters as unknown as types.RtpParameters);
        this.#producers.set(id, request.kind);
        producers.add(id);
        return { id };
      }
      case "consume":
        this.#own(transports, request.transportId);
        return this.room.consume(request.transportId, request.producerId, request.rtpCapabilities as unknown as types.RtpCapabilities);
      case "resumeConsumer":
        await this.room.resumeConsumer(request.consumerId);
        return {};
      default:
        return assertNever(request);
    }
  }

  #own(transports: Set<string>, transportId: string): void {
    if (!transports.has(transportId)) throw new Error("not your transport");
  }
}

function send(socket: WebSocket, response: Response): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(response));
}

function assertNever(value: never): never {
  throw new Error(`unhandled request ${JSON.stringify(value)}`);
}
