import type { ErrorBody, ParleyError, RequestId, ServerFrame } from "@parley/shared";

export function send(ws: WebSocket, frame: ServerFrame): void {
  sendText(ws, JSON.stringify(frame));
}

/** Sends text already serialised (a broadcast serialises once); a closing socket is skipped. */
export function sendText(ws: WebSocket, text: string): boolean {
  try {
    ws.send(text);
    return true;
  } catch {
    // the socket is already closing; its close handler does the bookkeeping
    return false;
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

/**
 * A reply whose fields are already JSON text (`"a":1,"b":[...]`): join answers carry every
 * member, so they are spliced from the member cache instead of being serialised again.
 */
export class RawReply {
  constructor(readonly fieldsJson: string) {}
}
