import type { SignalEvent } from "@parley/shared";
import { type RateLimit, TokenBucket } from "./rate-limit.js";
import { send, sendText } from "./sockets.js";

/** What every socket's attachment holds: the member it speaks for, once it has joined. */
export interface SocketAttachment {
  memberId: string | null;
}

/**
 * A Durable Object's sockets: their attachments (which survive hibernation), which member each
 * speaks for, and their rate buckets. In-memory maps are caches, rebuilt from
 * `ctx.getWebSockets()` and the attachments after the object wakes.
 */
export class SocketRegistry<A extends SocketAttachment> {
  #ctx: DurableObjectState;
  #states = new Map<WebSocket, A>();
  #byMember: Map<string, WebSocket> | null = null;
  #buckets = new WeakMap<WebSocket, Map<string, TokenBucket>>();

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  accept(ws: WebSocket, state: A): void {
    this.#ctx.acceptWebSocket(ws);
    this.setState(ws, state);
  }

  state(ws: WebSocket): A {
    let state = this.#states.get(ws);
    if (!state) {
      state = ws.deserializeAttachment() as A;
      this.#states.set(ws, state);
    }
    return state;
  }

  setState(ws: WebSocket, state: A): void {
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
    for (const [id, ws] of this.members()) if (id !== except && sendText(ws, text)) sent++;
    return sent;
  }

  /** Sends one event to a member's socket, if it is connected. */
  sendTo(member: string, event: SignalEvent): boolean {
    const ws = this.members().get(member);
    if (ws) send(ws, event);
    return ws !== undefined;
  }

  /** Takes one token from this socket's bucket for `limit` (full on first use). */
  take(ws: WebSocket, limit: RateLimit, now: number): boolean {
    let buckets = this.#buckets.get(ws);
    if (!buckets) this.#buckets.set(ws, (buckets = new Map()));
    let bucket = buckets.get(limit.what);
    if (!bucket) buckets.set(limit.what, (bucket = new TokenBucket(limit.perSecond, limit.burst, now)));
    return bucket.take(now);
  }
}
