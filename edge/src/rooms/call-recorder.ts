import { type ClientInfo, QUALITY_REPORT_MIN_INTERVAL_MS, randomId, type TrackQualitySample } from "@parley/shared";
import type { D1Outbox } from "./d1-outbox.js";
import type { MemberStore } from "./member-store.js";

/** Writes the room's call record (design §2 "call records (CDR)") to D1 through the outbox. */
export class CallRecorder {
  #members: MemberStore;
  #outbox: D1Outbox;
  #lastQuality = new Map<string, number>();

  constructor(members: MemberStore, outbox: D1Outbox) {
    this.#members = members;
    this.#outbox = outbox;
  }

  /** The current call's id; a call starts with its first member. */
  get callId(): string | null {
    return this.#members.getMeta("callId") || null;
  }

  memberJoined(member: { id: string; user: string; joinedAt: number }, client: ClientInfo | undefined): void {
    let callId = this.callId;
    if (!callId) {
      callId = `c_${randomId(16)}`;
      this.#members.setMeta("callId", callId);
      this.#enqueue("INSERT INTO calls (id, app_key, room, started_at) VALUES (?, ?, ?, ?)", [
        callId,
        this.#members.getMeta("appKey"),
        this.#members.getMeta("room"),
        member.joinedAt,
      ]);
    }
    this.#enqueue("INSERT OR IGNORE INTO call_members (call_id, member, user, joined_at, client) VALUES (?, ?, ?, ?, ?)", [
      callId,
      member.id,
      member.user,
      member.joinedAt,
      client ? JSON.stringify(client) : null,
    ]);
  }

  memberLeft(member: string, reason: string, at: number): void {
    const callId = this.callId;
    if (!callId) return;
    this.#enqueue("UPDATE call_members SET left_at = ?, leave_reason = ? WHERE call_id = ? AND member = ?", [at, reason, callId, member]);
    this.#lastQuality.delete(member);
  }

  /** The room emptied: the call ends; the next member starts a new one. */
  roomEmpty(at: number): void {
    const callId = this.callId;
    if (!callId) return;
    this.#enqueue("UPDATE calls SET ended_at = ? WHERE id = ?", [at, callId]);
    this.#members.setMeta("callId", "");
  }

  /** Stores a quality point, at most one per member every QUALITY_REPORT_MIN_INTERVAL_MS. */
  quality(member: string, source: "sdk" | "node", at: number, mos: number | null, tracks: TrackQualitySample[]): boolean {
    const callId = this.callId;
    if (!callId) return false;
    const key = `${source}:${member}`;
    if (at - (this.#lastQuality.get(key) ?? 0) < QUALITY_REPORT_MIN_INTERVAL_MS) return false;
    this.#lastQuality.set(key, at);
    this.#enqueue("INSERT INTO call_quality (call_id, member, at, source, mos, tracks) VALUES (?, ?, ?, ?, ?, ?)", [
      callId,
      member,
      at,
      source,
      mos,
      JSON.stringify(tracks),
    ]);
    return true;
  }

  #enqueue(statement: string, params: (string | number | null)[]): void {
    this.#outbox.enqueue(statement, params);
  }
}
