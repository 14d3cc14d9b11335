import { type ClientInfo, type LiveQuality, QUALITY_REPORT_MIN_INTERVAL_MS, randomId, type TrackQualitySample } from "@parley/shared";
import type { MemberStore } from "../members/member-store.js";
import type { D1Outbox } from "../rooms/d1-outbox.js";

/** Writes the room's call record (design §2 "call records (CDR)") to D1 through the outbox. */
export class CallRecorder {
  #members: MemberStore;
  #outbox: D1Outbox;
  #lastQuality = new Map<string, number>();
  #latest = new Map<string, LiveQuality>();

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

  /** A member's latest SDK report, summarised, for the live room view (in memory only). */
  latest(member: string): LiveQuality | null {
    return this.#latest.get(member) ?? null;
  }

  memberLeft(member: string, reason: string, at: number): void {
    this.#latest.delete(member);
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
    if (source === "sdk") this.#latest.set(member, summarise(at, mos, tracks));
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

function summarise(at: number, mos: number | null, tracks: TrackQualitySample[]): LiveQuality {
  const rtts = tracks.map((t) => t.rttMs).filter((r): r is number => r !== null);
  return {
    at: new Date(at).toISOString(),
    mos,
    sendBitrate: tracks.filter((t) => t.direction === "send").reduce((n, t) => n + t.bitrate, 0),
    receiveBitrate: tracks.filter((t) => t.direction === "recv").reduce((n, t) => n + t.bitrate, 0),
    worstLoss: Math.max(0, ...tracks.map((t) => t.loss)),
    rttMs: rtts.length ? Math.max(...rtts) : null,
  };
}
