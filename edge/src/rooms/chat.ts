import { ParleyError, type SignalRequest } from "@parley/shared";
import { rateLimited } from "../durable/rate-limit.js";
import type { SocketRegistry } from "../durable/socket-registry.js";
import { send } from "../durable/sockets.js";
import { MESSAGE_LIMIT, type SocketState } from "./socket-state.js";

/**
 * `message`: chat text to one member (`to`) or to everyone else, at most MESSAGE_LIMIT a second
 * per socket. The text is relayed, never stored or logged.
 */
export function sendMessage(
  sockets: SocketRegistry<SocketState>,
  ws: WebSocket,
  from: string,
  request: Extract<SignalRequest, { type: "message" }>,
  now: number,
): { delivered: number } {
  if (!sockets.take(ws, MESSAGE_LIMIT, now)) throw rateLimited(MESSAGE_LIMIT);
  if (request.to === undefined) {
    return { delivered: sockets.broadcast({ type: "message", from, text: request.text, private: false }, from) };
  }
  const target = sockets.members().get(request.to);
  if (!target) throw new ParleyError("MEMBER_NOT_FOUND", `member ${request.to} is not connected to this room`);
  send(target, { type: "message", from, text: request.text, private: true });
  return { delivered: 1 };
}
