/** Test helpers that act as a customer would: over HTTP and WebSockets against the real Worker. */

import { env, SELF } from "cloudflare:test";
import type { CreatedApp, Licence, MintTokenOptions, ServerFrame, SignalEvent } from "@parley/shared";
import { mintToken } from "@parley/shared";

export const BASE = "http://edge.test";

export function operatorFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${env.OPERATOR_KEY}`);
  if (init.body) headers.set("content-type", "application/json");
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

export function appFetch(app: { appKey: string; appSecret: string }, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Basic ${btoa(`${app.appKey}:${app.appSecret}`)}`);
  if (init.body) headers.set("content-type", "application/json");
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

export async function createApp(licence?: Partial<Licence>, extra: Record<string, unknown> = {}): Promise<CreatedApp> {
  const res = await operatorFetch("/v1/apps", {
    method: "POST",
    body: JSON.stringify({ name: "test app", ...(licence ? { licence } : {}), ...extra }),
  });
  if (res.status !== 201) throw new Error(`create app failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function tokenFor(
  app: { appKey: string; appSecret: string },
  opts: Partial<MintTokenOptions> & { room: string; user: string },
): Promise<string> {
  return mintToken({ appKey: app.appKey, appSecret: app.appSecret, ...opts });
}

type Ok = { id: string | number; ok: true } & Record<string, unknown>;
type Fail = { id: string | number | null; ok: false; error: { code: string; message: string } };

/** A signalling client over a real WebSocket to the Worker. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  #nextId = 1;

  constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(e.data as string) as ServerFrame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.accept();
  }

  /** Sends a request and waits for the response with its id. */
  async request(type: string, body: Record<string, unknown> = {}): Promise<Ok | Fail> {
    const id = this.#nextId++;
    const reply = this.waitFor((f) => "id" in f && f.id === id);
    this.ws.send(JSON.stringify({ id, type, ...body }));
    return (await reply) as Ok | Fail;
  }

  /** Like request, but throws unless the answer is ok. */
  async ok(type: string, body: Record<string, unknown> = {}): Promise<Ok> {
    const res = await this.request(type, body);
    if (!res.ok) throw new Error(`${type} failed: ${res.error.code} ${res.error.message}`);
    return res;
  }

  sendRaw(data: string | ArrayBuffer): void {
    this.ws.send(data);
  }

  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(match: (f: ServerFrame) => boolean, timeoutMs = 10_000): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a frame")), timeoutMs);
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

  events<T extends SignalEvent["type"]>(type: T): Extract<SignalEvent, { type: T }>[] {
    return this.frames.filter((f) => !("id" in f) && f.type === type) as never;
  }

  close(): void {
    this.ws.close(1000, "bye");
  }
}

export async function connect(room: string, token: string | null, query = ""): Promise<TestClient> {
  const qs = token === null ? query : `token=${encodeURIComponent(token)}${query ? `&${query}` : ""}`;
  const res = await SELF.fetch(`${BASE}/v1/rooms/${room}/signal?${qs}`, { headers: { upgrade: "websocket" } });
  if (!res.webSocket) throw new Error(`no websocket: ${res.status} ${await res.text()}`);
  return new TestClient(res.webSocket);
}

/** Connects and joins; returns the client and its member id. */
export async function joined(app: { appKey: string; appSecret: string }, room: string, user: string, opts: Partial<MintTokenOptions> = {}) {
  const client = await connect(room, await tokenFor(app, { room, user, ...opts }));
  const res = await client.ok("join");
  return { client, member: (res.member as { id: string }).id, resume: res.resume as string, members: res.members as { id: string }[] };
}

/** Connects with a token that should be refused and returns the refusal. */
export async function refusal(room: string, token: string | null, query = "") {
  const client = await connect(room, token, query);
  const frame = (await client.waitFor((f) => "ok" in f && !f.ok)) as Fail;
  const closed = await client.closed;
  return { code: frame.error.code, message: frame.error.message, closeCode: closed.code };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request body of `total` bytes pulled in 16 KiB chunks: `pulled()` says how much of it the edge read. */
export function streamedBody(total = 4 * 1024 * 1024): { body: ReadableStream<Uint8Array>; pulled: () => number; chunkBytes: number } {
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => sent, chunkBytes: chunk.byteLength };
}
