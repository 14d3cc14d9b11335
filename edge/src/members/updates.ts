import { type MemberInfo, ParleyError, type SignalRequest } from "@parley/shared";
import type { SocketRegistry } from "../durable/socket-registry.js";
import type { SocketState } from "../rooms/socket-state.js";
import { type MemberStore, toMemberInfo } from "./member-store.js";

/** `update`: a member changes its own name or metadata; the others get member.updated unless it is hidden. */
export function updateMember(
  members: MemberStore,
  sockets: SocketRegistry<SocketState>,
  id: string,
  request: Extract<SignalRequest, { type: "update" }>,
): { member: MemberInfo } {
  members.update(id, { name: request.name, metadata: request.metadata });
  const row = members.get(id);
  if (!row) throw new ParleyError("NOT_IN_ROOM", "you are no longer in this room");
  const member = toMemberInfo(row);
  if (row.hidden === 0) sockets.broadcast({ type: "member.updated", member }, id);
  return { member };
}
