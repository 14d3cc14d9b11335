import type { MemberInfo, TrackInfo } from "@parley/shared";
import type { Consumer } from "./media-session.js";
import { RemoteMember, RemoteTrack } from "./remote.js";
import type { RoomEvents } from "./room.js";

/** The Room's own (protected) emit, handed over so the roster's events come from the Room. */
type Emit = <K extends keyof RoomEvents>(event: K, ...args: Parameters<RoomEvents[K]>) => void;

/**
 * Who else is in the room and what they publish, kept in step with the room's events (and caught
 * up after a resume). Emits the member and track events through the Room.
 */
export class Roster {
  readonly members = new Map<string, RemoteMember>();
  #emit: Emit;
  #subscribe: ((track: RemoteTrack) => Promise<unknown>) | null;

  /** `subscribe` is called for every new track (null: the app subscribes itself). */
  constructor(emit: Emit, subscribe: ((track: RemoteTrack) => Promise<unknown>) | null) {
    this.#emit = emit;
    this.#subscribe = subscribe;
  }

  /** The members present at join, without events (the app has not seen the room yet). */
  seed(members: MemberInfo[]): void {
    for (const info of members) this.members.set(info.id, new RemoteMember(info));
  }

  joined(info: MemberInfo): void {
    const member = new RemoteMember(info);
    this.members.set(member.id, member);
    this.#emit("memberJoined", member);
  }

  left(memberId: string, reason: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    for (const track of member.tracks.values()) this.#drop(member, track);
    this.members.delete(member.id);
    this.#emit("memberLeft", member, reason);
  }

  updated(info: MemberInfo): void {
    const member = this.members.get(info.id);
    if (!member) return;
    member.info = info;
    this.#emit("memberUpdated", member);
  }

  async published(tracks: TrackInfo[]): Promise<void> {
    for (const info of tracks) {
      const member = this.members.get(info.member);
      if (!member || member.tracks.has(info.id)) continue;
      const track = new RemoteTrack(info);
      member.tracks.set(track.id, track);
      this.#emit("trackPublished", track);
      if (this.#subscribe) await this.#subscribe(track).catch((err: Error) => this.#emit("error", err));
    }
  }

  unpublished(memberId: string, trackId: string): void {
    const member = this.members.get(memberId);
    const track = member?.tracks.get(trackId);
    if (member && track) this.#drop(member, track);
  }

  muted(memberId: string, trackId: string, muted: boolean): void {
    const track = this.members.get(memberId)?.tracks.get(trackId);
    if (!track) return;
    track.muted = muted;
    this.#emit("trackMuted", track, muted);
  }

  byConsumer(consumerId: string): RemoteTrack | undefined {
    for (const m of this.members.values()) for (const t of m.tracks.values()) if (t.consumer?.id === consumerId) return t;
    return undefined;
  }

  /** After a resume: catch up on who and what was missed while away. */
  reconcile(members: MemberInfo[], tracks: TrackInfo[]): void {
    const present = new Set(members.map((m) => m.id));
    for (const member of [...this.members.values()]) if (!present.has(member.id)) this.left(member.id, "timeout");
    for (const info of members) if (!this.members.has(info.id)) this.joined(info);
    const live = new Set(tracks.map((t) => t.id));
    for (const member of this.members.values())
      for (const track of [...member.tracks.values()]) if (!live.has(track.id)) this.#drop(member, track);
    void this.published(tracks);
  }

  consumers(): Consumer[] {
    return [...this.members.values()].flatMap((m) => [...m.tracks.values()].flatMap((t) => (t.consumer ? [t.consumer] : [])));
  }

  #drop(member: RemoteMember, track: RemoteTrack): void {
    track.consumer?.close();
    member.tracks.delete(track.id);
    this.#emit("trackUnpublished", track);
  }
}
