/** A signalling client over a real WebSocket (the `ws` package), acting as a member would. */
import type { ServerFrame, SignalEvent } from "@parley/shared";
import WebSocket from "ws";

type Ok = { id: string | number; ok: true } & Record<string, unknown>;
type Fail = { id: string | number | null; ok: false; error: { code: string; message: string } };
export type Reply = Ok | Fail;

export class SignalMember {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #ws: WebSocket;
  #waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  /** Opens the socket; resolves once it is open (refusals arrive afterwards as an error frame and a close). */
  static connect(edgeUrl: string, room: string, token: string): Promise<SignalMember> {
    const url = `${edgeUrl.replace(/^http/, "ws")}/v1/rooms/${encodeURIComponent(room)}/signal?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(url);
    const member = new SignalMember(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(member));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  /** Connects and joins; throws with the edge's code if the join is refused. */
  static async join(edgeUrl: string, room: string, token: string): Promise<{ member: SignalMember; id: string }> {
    const member = await SignalMember.connect(edgeUrl, room, token);
    const reply = await member.ok("join");
    return { member, id: (reply.member as { id: string }).id };
  }

  async request(type: string, body: Record<string, unknown> = {}): Promise<Reply> {
    const id = this.#nextId++;
    const reply = this.waitFor((f) => "id" in f && f.id === id);
    this.#ws.send(JSON.stringify({ id, type, ...body }));
    return (await reply) as Reply;
  }

  async ok(type: string, body: Record<string, unknown> = {}): Promise<Ok> {
    const reply = await this.request(type, body);
    if (!reply.ok) throw new Error(`${type} refused: ${reply.error.code} ${reply.error.message}`);
    return reply;
  }

  /** The first frame, already received or still to come, that matches. */
  // generous: the CLI tests wait while a spawned `parley` process starts, slow on a loaded machine
  waitFor(match: (f: ServerFrame) => boolean, timeoutMs = 30_000): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  event<T extends SignalEvent["type"]>(type: T, where: (e: Extract<SignalEvent, { type: T }>) => boolean = () => true) {
    return this.waitFor((f) => !("id" in f) && f.type === type && where(f as never)) as Promise<Extract<SignalEvent, { type: T }>>;
  }

  /** The refusal a rejected token gets: one error frame without an id, then a 4000+status close. */
  async refusal(): Promise<{ code: string; message: string; closeCode: number }> {
    const frame = (await this.waitFor((f) => "ok" in f && !f.ok)) as Fail;
    const closed = await this.closed;
    return { code: frame.error.code, message: frame.error.message, closeCode: closed.code };
  }

  close(): void {
    this.#ws.close(1000, "bye");
  }
}
