import { LIMITS, ParleyError } from "@parley/shared";
import type { RateLimit } from "../durable/rate-limit.js";
import type { Identity } from "../tokens/verify.js";

/** Close codes a client can act on (docs/protocol.md). Refusals use 4000 + the HTTP status. */
export const CLOSE = {
  left: 1000,
  kicked: 4001,
  replaced: 4002,
  roomClosed: 4003,
} as const;

/** Every frame a socket sends, and the chat messages among them (LIMITS in shared/). */
export const FRAME_LIMIT: RateLimit = { what: "frames", perSecond: LIMITS.frameRatePerSecond, burst: LIMITS.frameBurst };
export const MESSAGE_LIMIT: RateLimit = { what: "messages", perSecond: LIMITS.messageRatePerSecond, burst: LIMITS.messageBurst };

/** Per-socket state, kept in the WebSocket attachment so it survives hibernation. */
export interface SocketState extends Identity {
  /** The member this socket speaks for, once joined or resumed. */
  memberId: string | null;
}

export function requireMember(state: SocketState): string {
  if (!state.memberId) throw new ParleyError("NOT_IN_ROOM", "join (or resume) first");
  return state.memberId;
}

export function requireGrant(state: SocketState, grant: keyof SocketState["grants"]): void {
  if (!state.grants[grant]) throw new ParleyError("GRANT_MISSING", `your token lacks the ${grant} grant`);
}
