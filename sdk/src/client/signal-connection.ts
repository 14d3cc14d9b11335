import { type ErrorCode, ParleyError, type SignalEvent, type SignalRequestType, type SignalResults } from "@parley/shared";
import { TypedEmitter } from "./typed-emitter.js";

/** The subset of the WebSocket API the SDK needs: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "close" | "message" | "error",
    listener: (event: { data?: unknown; code?: number; reason?: string }) => void,
  ): void;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

export type RequestBody<T extends SignalRequestType> = Omit<Extract<import("@parley/shared").SignalRequest, { type: T }>, "id" | "type">;

interface SignalConnectionEvents {
  event: (event: SignalEvent) => void;
  /** The socket closed; `code` tells why (docs/protocol.md close codes). */
  closed: (code: number, reason: string) => void;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** One signalling WebSocket: requests matched to responses by id, server events emitted. */
export class SignalConnection extends TypedEmitter<SignalConnectionEvents> {
  #ws: WebSocketLike;
  #nextId = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  #closed = false;

  private constructor(ws: WebSocketLike) {
    super();
    this.#ws = ws;
    ws.addEventListener("message", (e) => this.#onMessage(String(e.data)));
    ws.addEventListener("close", (e) => this.#onClose(e.code ?? 1006, e.reason ?? ""));
  }

  /** Opens the socket. A refused connection rejects with the server's typed error. */
  static open(url: string, WebSocketImpl: WebSocketFactory): Promise<SignalConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      let refusal: ParleyError | null = null;
      const early = (e: { data?: unknown }) => {
        try {
          const frame = JSON.parse(String(e.data));
          if (frame.ok === false && frame.id === null) refusal = new ParleyError(frame.error.code, frame.error.message);
        } catch {
          // not ours to judge here
        }
      };
      ws.addEventListener("message", early);
      ws.addEventListener("open", () => {
        // a refused socket is opened, sent one error frame, then closed: wait a moment for it
        setTimeout(() => {
          if (refusal) return;
          resolve(new SignalConnection(ws));
        }, 0);
      });
      ws.addEventListener("close", (e) => {
        reject(refusal ?? new ParleyError("NODE_UNAVAILABLE", `signalling connection closed (${e.code ?? 1006}) before it opened`));
      });
    });
  }

  get isOpen(): boolean {
    return !this.#closed && this.#ws.readyState === 1;
  }

  request<T extends SignalRequestType>(type: T, body: RequestBody<T> = {} as RequestBody<T>): Promise<SignalResults[T]> {
    if (!this.isOpen) return Promise.reject(new ParleyError("NOT_IN_ROOM", "signalling is not connected"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ParleyError("NODE_UNAVAILABLE", `no answer to ${type} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ id, type, ...body }));
    });
  }

  close(code = 1000, reason = "bye"): void {
    this.#ws.close(code, reason);
  }

  #onMessage(text: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame.id === "number" && this.#pending.has(frame.id)) {
      const waiter = this.#pending.get(frame.id)!;
      this.#pending.delete(frame.id);
      clearTimeout(waiter.timer);
      if (frame.ok) {
        const { id: _id, ok: _ok, ...result } = frame;
        waiter.resolve(result);
      } else {
        const error = frame.error as { code: ErrorCode; message: string };
        waiter.reject(new ParleyError(error.code, error.message));
      }
      return;
    }
    if (!("id" in frame) && typeof frame.type === "string") this.emit("event", frame as unknown as SignalEvent);
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [, waiter] of this.#pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new ParleyError("NOT_IN_ROOM", `signalling closed (${code}) before an answer`));
    }
    this.#pending.clear();
    this.emit("closed", code, reason);
  }
}
