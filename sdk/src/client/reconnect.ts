import { type MemberInfo, ParleyError, type TrackInfo } from "@parley/shared";
import { SignalConnection, type WebSocketFactory } from "./signal-connection.js";

export interface ResumeAttempt {
  url: string;
  WebSocket: WebSocketFactory;
  member: string;
  secret: string;
  /** Give up after this instant (unix ms): inside the server's resume window. */
  deadline: number;
  /** Do not try before this instant (unix ms). */
  notBefore: number;
  /** False once the room was closed meanwhile. */
  stillWanted: () => boolean;
}

export interface Resumed {
  signal: SignalConnection;
  members: MemberInfo[];
  tracks: TrackInfo[];
}

/**
 * Reconnects and resumes the same member, with exponential backoff (250 ms doubling to 5 s).
 * Null when the window passed, the room no longer wants it, or the server says the member is gone.
 */
export async function resumeWithBackoff(a: ResumeAttempt): Promise<Resumed | null> {
  for (let attempt = 0; Date.now() < a.deadline; attempt++) {
    await sleep(Math.max(Math.min(5000, 250 * 2 ** attempt), a.notBefore - Date.now()));
    if (!a.stillWanted()) return null;
    try {
      const signal = await SignalConnection.open(a.url, a.WebSocket);
      const resumed = await signal.request("resume", { member: a.member, secret: a.secret });
      return { signal, members: resumed.members, tracks: resumed.tracks };
    } catch (err) {
      if (err instanceof ParleyError && err.code === "RESUME_FAILED") return null;
    }
  }
  return null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
