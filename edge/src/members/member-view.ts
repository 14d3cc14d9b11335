import { RawReply } from "../durable/sockets.js";
import type { MemberStore } from "./member-store.js";

/** A member as admin RPC shows it. Metadata stays JSON text: RPC types cannot carry recursive JSON. */
export interface RoomMemberView {
  id: string;
  user: string;
  name: string | null;
  metadataJson: string | null;
  joinedAt: number;
  connected: boolean;
  hidden: boolean;
}

export function memberViews(store: MemberStore): RoomMemberView[] {
  return store.all().map((m) => ({
    id: m.id,
    user: m.user,
    name: m.name,
    metadataJson: m.metadata,
    joinedAt: m.joined_at,
    connected: m.drop_deadline === null,
    hidden: m.hidden === 1,
  }));
}

/** `member`, `members` (the others, visible ones) and `tracks`, for join and resume answers. */
export function roomView(store: MemberStore, tracksJson: string, memberId: string, extraJson = ""): RawReply {
  const member = store.memberJson(memberId) ?? "null";
  return new RawReply(`"member":${member},${extraJson}"members":${store.visibleJson(memberId)},"tracks":${tracksJson}`);
}
