import { type ErrorBody, ParleyError, type RequestId, type ServerFrame } from "@parley/shared";
import type { Identity } from "../tokens/verify.js";

/** Close codes a client can act on (docs/protocol.md). Refusals use 4000 + the HTTP status. */
export const CLOSE = {
  left: 1000,
  kicked: 4001,
  replaced: 4002,
  roomClosed: 4003,
} as const;

/** Per-socket state, kept in the WebSocket attachment so it survives hibernation. */
export interface SocketState extends Identity {
  /** The member this socket speaks for, once joined or resumed. */
  memberId: string | null;
}

export function send(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // the socket is already closing; its close handler does the bookkeeping
  }
}

export function sendError(ws: WebSocket, id: RequestId | null, error: ErrorBody): void {
  send(ws, { id, ok: false, error });
}

export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/**
 * Refuses a WebSocket connection so that any client, browsers included, can read why:
 * accept it, send one error frame, close with 4000 + status and the code as reason.
 */
export function refuseSocket(error: ParleyError): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  sendError(server, null, error.toBody());
  server.close(4000 + error.status, error.code);
  return new Response(null, { status: 101, webSocket: client });
}

export function requireMember(state: SocketState): string {
  if (!state.memberId) throw new ParleyError("NOT_IN_ROOM", "join (or resume) first");
  return state.memberId;
}

export function requireGrant(state: SocketState, grant: keyof SocketState["grants"]): void {
  if (!state.grants[grant]) throw new ParleyError("GRANT_MISSING", `your token lacks the ${grant} grant`);
}
