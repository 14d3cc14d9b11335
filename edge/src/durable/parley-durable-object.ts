import { DurableObject } from "cloudflare:workers";
import { ParleyError, type RequestId } from "@parley/shared";
import type { Env } from "../env.js";
import { log } from "../log/index.js";
import { AlarmSchedule } from "./alarms.js";
import { type RateLimit, rateLimited } from "./rate-limit.js";
import { type RpcResult, toRpcResult } from "./rpc-result.js";
import { type SocketAttachment, SocketRegistry } from "./socket-registry.js";
import { closeQuietly, RawReply, refuseSocket, sendError, sendText } from "./sockets.js";

/** A request frame: `{id, type, ...}` (docs/protocol.md §2). */
export interface RequestFrame {
  id: RequestId;
  type: string;
}

/** What `parseFrame` makes of one inbound frame; it never throws. */
export type ParsedFrame<R> = { ok: true; request: R } | { ok: false; id: RequestId | null; error: ParleyError };

/** What a request handler answers: the fields after `{id, ok: true}`, or those fields as JSON text already. */
export type Reply = Record<string, unknown> | RawReply;

/**
 * The base of the edge's four Durable Objects, after PartyServer: an object is a class whose
 * lifecycle hooks a subclass overrides, and what every object would otherwise repeat lives here.
 *
 * - Sockets (hibernatable): `onConnect` admits an upgrade and returns the socket's attachment, or
 *   throws a ParleyError, which the client reads as one error frame and close code 4000 + status.
 *   Each frame is rate limited (`frameLimit`), parsed (`parseFrame`), handled (`onRequest`: an
 *   exhaustive `switch` over the frame union) and answered `{id, ok: true, ...reply}` or
 *   `{id, ok: false, error}`; an untyped failure is logged and answered INTERNAL. `onClose` runs
 *   when a socket goes, however it goes.
 * - RPC: `rpc(run)` answers an RpcResult, because Durable Object RPC drops error classes.
 * - Alarms: the object's parts add the times they need to `alarms`; `onAlarm` runs when the alarm
 *   fires, and the alarm is then re-armed for the earliest time still needed.
 */
export abstract class ParleyDurableObject<
  A extends SocketAttachment = SocketAttachment,
  R extends RequestFrame = RequestFrame,
> extends DurableObject<Env> {
  protected readonly sockets: SocketRegistry<A>;
  protected readonly alarms: AlarmSchedule;
  /** How many frames a socket may send; beyond it frames are refused with RATE_LIMITED. */
  protected readonly frameLimit: RateLimit | null = null;
  readonly #closeAfterReply = new WeakMap<WebSocket, { code: number; reason: string }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sockets = new SocketRegistry<A>(ctx);
    this.alarms = new AlarmSchedule(ctx.storage);
  }

  // ── hooks ────────────────────────────────────────────────────────────────

  /** A WebSocket upgrade arrived: the new socket's attachment, or a ParleyError refusing it. */
  protected onConnect(_request: Request): A | Promise<A> {
    throw new ParleyError("NOT_FOUND", "this object takes no sockets");
  }

  /** One inbound frame, validated (zod schemas in shared/). */
  protected parseFrame(_raw: string | ArrayBuffer): ParsedFrame<R> {
    return { ok: false, id: null, error: new ParleyError("UNKNOWN_TYPE", "this object takes no frames") };
  }

  /** One valid request from `ws`: its reply, or a ParleyError the client gets with the request's id. */
  protected onRequest(_ws: WebSocket, _request: R, _now: number): Reply | Promise<Reply> {
    throw new ParleyError("UNKNOWN_TYPE", "this object takes no requests");
  }

  /** A socket closed or failed (its cached state is forgotten after this). */
  protected onClose(_ws: WebSocket): void | Promise<void> {}

  /** The alarm fired; the alarm is re-armed from `alarms` afterwards. */
  protected onAlarm(): void | Promise<void> {}

  // ── for subclasses ───────────────────────────────────────────────────────

  /** Runs an RPC method: a ParleyError it throws crosses to the caller as `{ok: false, code, message}`. */
  protected rpc<T>(run: () => T | Promise<T>): Promise<RpcResult<T>> {
    return toRpcResult(async () => run());
  }

  /** Closes `ws` once the reply to the request being handled has been sent. */
  protected closeAfterReply(ws: WebSocket, code: number, reason: string): void {
    this.#closeAfterReply.set(ws, { code, reason });
  }

  // ── the runtime's entry points ───────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    let attachment: A;
    try {
      attachment = await this.onConnect(request);
    } catch (err) {
      if (err instanceof ParleyError) return refuseSocket(err);
      throw err;
    }
    const pair = new WebSocketPair();
    this.sockets.accept(pair[1], attachment);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const now = Date.now();
    if (this.frameLimit && !this.sockets.take(ws, this.frameLimit, now)) {
      sendError(ws, null, rateLimited(this.frameLimit).toBody());
      return;
    }
    const parsed = this.parseFrame(raw);
    if (!parsed.ok) {
      sendError(ws, parsed.id, parsed.error.toBody());
      return;
    }
    const { request } = parsed;
    try {
      const reply = await this.onRequest(ws, request, now);
      const id = JSON.stringify(request.id);
      sendText(
        ws,
        reply instanceof RawReply ? `{"id":${id},"ok":true,${reply.fieldsJson}}` : JSON.stringify({ id: request.id, ok: true, ...reply }),
      );
      const close = this.#closeAfterReply.get(ws);
      if (close) {
        this.#closeAfterReply.delete(ws);
        closeQuietly(ws, close.code, close.reason);
      }
    } catch (err) {
      if (!(err instanceof ParleyError)) log({ event: "signal.request_failed", type: request.type, error: err });
      const error = err instanceof ParleyError ? err : new ParleyError("INTERNAL", "internal error; it has been logged");
      sendError(ws, request.id, error.toBody());
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // echo the peer's code (RFC 6455): 1005/1006 cannot be sent, so those get 1000
    closeQuietly(ws, code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, "closed");
    await this.#closed(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.#closed(ws);
  }

  override async alarm(): Promise<void> {
    await this.onAlarm();
    await this.alarms.reschedule();
  }

  async #closed(ws: WebSocket): Promise<void> {
    try {
      await this.onClose(ws);
    } finally {
      this.sockets.forget(ws);
    }
  }
}
