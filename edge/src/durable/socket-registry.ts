import { LIMITS, type SignalEvent } from "@parley/shared";
import { TokenBucket } from "./rate-limit.js";
import type { SocketState } from "./sockets.js";

/**
 * The Room DO's sockets: their attachments (which survive hibernation), which member each speaks
 * for, and their rate buckets. In-memory maps are caches, rebuilt from `ctx.getWebSockets()`
 * and the attachments after the object wakes.
 */
export class SocketRegistry {
  #ctx: DurableObjectState;
  #states = new Map<WebSocket, SocketState>();
  #byMember: Map<string, WebSocket> | null = null;
  #buckets = new WeakMap<WebSocket, { frames: TokenBucket; messages: TokenBucket }>();

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  accept(ws: WebSocket, state: SocketState): void {
    this.#ctx.acceptWebSocket(ws);
    this.setState(ws, state);
  }

  state(ws: WebSocket): SocketState {
    let state = this.#states.get(ws);
    if (!state) {
      state = ws.deserializeAttachment() as SocketState;
      this.#states.set(ws, state);
    }
    return state;
  }

  setState(ws: WebSocket, state: SocketState): void {
    ws.serializeAttachment(state);
    this.#states.set(ws, state);
  }

  /** Forgets a closed socket's cached state. */
  forget(ws: WebSocket): void {
    this.#states.delete(ws);
  }

  bind(ws: WebSocket, memberId: string): void {
    this.setState(ws, { ...this.state(ws), memberId });
    this.members().set(memberId, ws);
  }

  unbind(ws: WebSocket, memberId: string): void {
    this.setState(ws, { ...this.state(ws), memberId: null });
    if (this.members().get(memberId) === ws) this.members().delete(memberId);
  }

  /** memberId → socket. */
  members(): Map<string, WebSocket> {
    if (!this.#byMember) {
      this.#byMember = new Map();
      for (const ws of this.#ctx.getWebSockets()) {
        const id = this.state(ws).memberId;
        if (id) this.#byMember.set(id, ws);
      }
    }
    return this.#byMember;
  }

  /** Sends one event to every joined socket but `except`'s; serialises once. */
  broadcast(event: SignalEvent, except?: string): number {
    const text = JSON.stringify(event);
    let sent = 0;
    for (const [id, ws] of this.members()) {
      if (id === except) continue;
      try {
        ws.send(text);
        sent++;
      } catch {
        // closing socket: its close handler does the bookkeeping
      }
    }
    return sent;
  }

  buckets(ws: WebSocket, now: number): { frames: TokenBucket; messages: TokenBucket } {
    let b = this.#buckets.get(ws);
    if (!b) {
      b = {
        frames: new TokenBucket(LIMITS.frameRatePerSecond, LIMITS.frameBurst, now),
        messages: new TokenBucket(LIMITS.messageRatePerSecond, LIMITS.messageBurst, now),
      };
      this.#buckets.set(ws, b);
    }
    return b;
  }
}
