/**
 * The control API (node:http): the Room DO's signed calls, plus unauthenticated /healthz and /metrics.
 * Order per call: match the route, read the body (bounded), verify the token against this node and
 * the room in the path (single-use jti), validate the body with the shared schema, then act.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  bearerToken,
  CONTROL_LIMITS,
  CONTROL_ROUTES,
  type ControlRouteName,
  DOWNLOAD_PATH,
  type ErrorCode,
  EXPORT_ROUTES,
  type ExportRouteName,
  NodeRoomId,
  ParleyError,
  RECORDING_ROUTES,
  type RecordingRouteName,
  RTMP_ROUTES,
  type RtmpRouteName,
  SNAPSHOT_ROUTES,
  type SnapshotRouteName,
  verifyControlToken,
} from "@parley/shared";
import type { z } from "zod";
import type { Logger } from "../logger.js";
import type { MediaNode } from "../media-node.js";
import type { NodeMetrics } from "../metrics.js";
import type { RecordingManager } from "../recording/recording-manager.js";
import type { RtmpPushes } from "../rtmp/rtmp-pushes.js";
import type { DownloadHandler } from "./downloads.js";
import { ReplayGuard } from "./replay-guard.js";

type NodeRecordingRouteName = RecordingRouteName | SnapshotRouteName | ExportRouteName | RtmpRouteName;

interface Route {
  name: ControlRouteName | NodeRecordingRouteName;
  method: string;
  pattern: RegExp;
  request: z.ZodType | null;
}

const ROUTES: Route[] = Object.entries({
  ...CONTROL_ROUTES,
  ...RECORDING_ROUTES,
  ...SNAPSHOT_ROUTES,
  ...EXPORT_ROUTES,
  ...RTMP_ROUTES,
}).map(([name, r]) => ({
  name: name as ControlRouteName | NodeRecordingRouteName,
  method: r.method,
  pattern: new RegExp(`^${r.path.replace(":room", "(?<room>[^/]+)").replace(":id", "(?<id>[^/]+)")}$`),
  request: r.request,
}));

type Handler = (node: MediaNode, room: string, id: string, body: never) => Promise<unknown> | unknown;
const OK = { ok: true } as const;
/** Runs an action that answers nothing and answers `{ok: true}` once it is done. */
async function done(action: Promise<void> | void): Promise<typeof OK> {
  await action;
  return OK;
}

const HANDLERS: Record<ControlRouteName, Handler> = {
  getOrCreateRouter: async (node, room) => (await node.getOrCreateRoom(room)).routerInfo(),
  roomSummary: (node, room) => node.getRoom(room).summary(),
  closeRoom: (node, room) => done(node.closeRoom(room)),
  createTransport: (node, room, _id, body) => node.getRoom(room).createTransport(body),
  connectTransport: (node, room, id, body) => done(node.getRoom(room).connectTransport(id, body)),
  restartIce: (node, room, id) => node.getRoom(room).restartIce(id),
  closeTransport: (node, room, id) => done(node.getRoom(room).closeTransport(id)),
  produce: (node, room, id, body) => node.getRoom(room).produce(id, body),
  consume: (node, room, id, body) => node.getRoom(room).consume(id, body),
  pauseProducer: (node, room, id) => done(node.getRoom(room).setProducerPaused(id, true)),
  resumeProducer: (node, room, id) => done(node.getRoom(room).setProducerPaused(id, false)),
  closeProducer: (node, room, id) => done(node.getRoom(room).closeProducer(id)),
  pauseConsumer: (node, room, id) => done(node.getRoom(room).setConsumerPaused(id, true)),
  resumeConsumer: (node, room, id) => done(node.getRoom(room).setConsumerPaused(id, false)),
  setPreferredLayers: (node, room, id, body) => done(node.getRoom(room).setPreferredLayers(id, body)),
  closeConsumer: (node, room, id) => done(node.getRoom(room).closeConsumer(id)),
};

type RecordingHandler = (o: { recordings: RecordingManager; rtmp: RtmpPushes }, room: string, id: string, body: never) => Promise<unknown>;
const RECORDING_HANDLERS: Record<NodeRecordingRouteName, RecordingHandler> = {
  takeSnapshot: ({ recordings }, room, _id, body) => recordings.snapshot(room, body as never),
  exportRecording: ({ recordings }, room, id, body) => recordings.exportRecording(room, id, body as never),
  startRtmp: ({ rtmp }, room, _id, body) => rtmp.start(room, body as never),
  stopRtmp: ({ rtmp }, room, id) => rtmp.stop(room, id),
  getRtmp: async ({ rtmp }, room, id) => rtmp.get(room, id),
  startRecording: ({ recordings }, room, _id, body) => recordings.start(room, body),
  stopRecording: ({ recordings }, room, id) => recordings.stop(room, id),
  getRecording: ({ recordings }, room, id) => recordings.get(room, id),
};

export interface ControlServerOptions {
  node: MediaNode;
  recordings: RecordingManager;
  rtmp: RtmpPushes;
  nodeId: string;
  fleetSecret: string;
  metrics: NodeMetrics;
  logger: Logger;
  /** Signed NAS downloads, GET|HEAD /files/… (src/recording/downloads.ts); no such route without one. */
  downloads?: DownloadHandler;
}

export class ControlServer {
  readonly #options: ControlServerOptions;
  readonly #server: Server;
  readonly #replay = new ReplayGuard();

  constructor(options: ControlServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    // Control calls are small and quick; a slow sender should not hold a socket open.
    this.#server.requestTimeout = 15_000;
    this.#server.headersTimeout = 10_000;
  }

  /** Listens and resolves with the bound port (pass 0 for any free port). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://node");
    const method = req.method ?? "GET";
    if (method === "GET" && url.pathname === "/healthz") return this.#health(res);
    if (method === "GET" && url.pathname === "/metrics") return this.#metrics(res);
    if ((method === "GET" || method === "HEAD") && url.pathname.startsWith(DOWNLOAD_PATH) && this.#options.downloads)
      return this.#options.downloads.handle(req, res);
    const match = ROUTES.map((r) => ({ route: r, groups: r.pattern.exec(url.pathname)?.groups })).find(
      (m) => m.groups && m.route.method === method,
    );
    const routeName = match?.route.name ?? "unknown";
    try {
      if (!match?.groups) throw new ParleyError("NOT_FOUND", `no control route ${method} ${url.pathname}`);
      const room = decodeSegment(match.groups.room, "room");
      const parsedRoom = NodeRoomId.safeParse(room);
      if (!parsedRoom.success) throw new ParleyError("INVALID_REQUEST", `bad room id: ${parsedRoom.error.issues[0]?.message}`);
      const id = match.groups.id === undefined ? "" : decodeSegment(match.groups.id, "id");
      const raw = await readBody(req);
      const claims = await verifyControlToken(bearerToken(req.headers.authorization), {
        secret: this.#options.fleetSecret,
        node: this.#options.nodeId,
        room,
        body: raw,
      });
      if (!this.#replay.accept(claims.jti, claims.exp))
        throw new ParleyError("TOKEN_REPLAYED", "this token was already used; mint one per call");
      const body = parseBody(match.route, raw);
      const name = match.route.name;
      const result =
        name in RECORDING_HANDLERS
          ? await RECORDING_HANDLERS[name as NodeRecordingRouteName](this.#options, room, id, body as never)
          : await HANDLERS[name as ControlRouteName](this.#options.node, room, id, body as never);
      this.#send(res, 200, result, routeName);
    } catch (error) {
      const parley = toParleyError(error);
      if (parley.code === "INTERNAL")
        this.#options.logger.error({ route: routeName, err: (error as Error).message }, "control call failed");
      else this.#options.logger.debug({ route: routeName, code: parley.code }, "control call refused");
      this.#send(res, parley.status, { error: parley.toBody() }, routeName);
    }
  }

  #send(res: ServerResponse, status: number, body: unknown, route: string): void {
    this.#options.metrics.controlRequests.inc({ route, status: String(status) });
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
    res.end(text);
  }

  #health(res: ServerResponse): void {
    const { node } = this.#options;
    const { recordings } = this.#options;
    const healthy = node.pool.size > 0 && recordings.ready;
    const body = {
      ok: healthy,
      draining: node.draining,
      ...node.counts(),
      recordings: { journals: recordings.journalStore, ready: recordings.ready },
    };
    res.writeHead(healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  }

  async #metrics(res: ServerResponse): Promise<void> {
    const { registry } = this.#options.metrics;
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
    res.end(text);
  }
}

function decodeSegment(segment: string | undefined, what: string): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    throw new ParleyError("INVALID_REQUEST", `bad ${what} in path`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > CONTROL_LIMITS.bodyBytes) {
    req.resume();
    return Promise.reject(new ParleyError("PAYLOAD_TOO_LARGE", `body is larger than ${CONTROL_LIMITS.bodyBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > CONTROL_LIMITS.bodyBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(new ParleyError("PAYLOAD_TOO_LARGE", `body is larger than ${CONTROL_LIMITS.bodyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(route: Route, raw: string): unknown {
  if (route.request === null) {
    if (raw.trim() !== "") throw new ParleyError("INVALID_REQUEST", "this route takes no body");
    return undefined;
  }
  let json: unknown;
  try {
    json = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch {
    throw new ParleyError("INVALID_REQUEST", "body is not JSON");
  }
  const parsed = route.request.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParleyError("INVALID_REQUEST", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** mediasoup throws TypeError for parameters it refuses and UnsupportedError/InvalidStateError for states. */
function toParleyError(error: unknown): ParleyError {
  if (error instanceof ParleyError) return error;
  if (error instanceof Error) {
    const mediaRefusal: Record<string, ErrorCode> = {
      TypeError: "MEDIA_REJECTED",
      UnsupportedError: "MEDIA_REJECTED",
      InvalidStateError: "MEDIA_REJECTED",
    };
    const code = mediaRefusal[error.name];
    if (code) return new ParleyError(code, error.message.slice(0, 500));
  }
  return new ParleyError("INTERNAL", "internal error");
}
