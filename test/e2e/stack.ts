/**
 * The whole local stack in one process, as `npm start` runs it: the edge (wrangler, workerd) and
 * a media node (real mediasoup) that registers with it. Clients are SDK bots on @roamhq/wrtc.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEV_APP_NAME } from "../../edge/src/dev/dev-app-name.js";
import { type RunningEdge, startEdge } from "../../infra/dev/edge.js";
import { loadConfig } from "../../media-fleet/src/config.js";
import { createLogger } from "../../media-fleet/src/logger.js";
import { type MediaNodeService, startMediaNodeService } from "../../media-fleet/src/service.js";
import { freePort } from "../../media-fleet/test/free-port.js";
import { Room, type RoomOptions } from "../../sdk/src/client/index.js";
import { syntheticAudio, syntheticVideo, useNodeWebRTC } from "../../sdk/src/node/index.js";
import { AppsClient, mintToken } from "../../sdk/src/server/index.js";

export interface Stack {
  edge: RunningEdge;
  /** The node's spool and NAS folders live here (removed on stop). */
  dataDir: string;
  /** The current media node (see replaceNode). */
  readonly node: MediaNodeService;
  readonly nodeId: string;
  /** The current node's WebRtcServer ports (UDP and TCP, one per worker): what clients send media to. */
  readonly rtcPorts: number[];
  app: { appKey: string; appSecret: string };
  token(room: string, user: string, grants?: Record<string, boolean>): Promise<string>;
  /** A bot that joins and (optionally) publishes synthetic camera and microphone. */
  bot(room: string, user: string, options?: BotOptions): Promise<Bot>;
  /**
   * Shuts the media node down and starts another (new id, fresh spool, same NAS folder): what a
   * node lost for good looks like, with nothing of its memory left.
   */
  replaceNode(): Promise<void>;
  stop(): Promise<void>;
}

export interface BotOptions extends RoomOptions {
  video?: boolean | { width: number; height: number; fps?: number; simulcast?: boolean };
  audio?: boolean;
}

export interface Bot {
  room: Room;
  stop(): Promise<void>;
}

interface StartedNode {
  service: MediaNodeService;
  rtcPorts: number[];
}

/** A media node registered with `edge`, over `spool`, writing NAS recordings under `<dataDir>/recordings`. */
async function startNode(
  edge: RunningEdge,
  nodeId: string,
  dataDir: string,
  spool: string,
  outboundAllow: readonly string[],
): Promise<StartedNode> {
  const controlPort = await freePort();
  // below the kernel's ephemeral range (32768+), where outgoing sockets could take a worker's port
  const rtcBase = 25000 + Math.floor(Math.random() * 500) * 10; // media-fleet's own tests use 21100-21399
  const config = loadConfig({
    NODE_ID: nodeId,
    REGION: "local",
    FLEET_SECRET: edge.fleetSecret,
    CONTROL_PORT: String(controlPort),
    EDGE_URL: edge.url,
    LISTEN_IP: "127.0.0.1",
    RTC_MIN_PORT: String(rtcBase),
    RTC_MAX_PORT: String(rtcBase + 9),
    NUM_WORKERS: "1",
    HEARTBEAT_INTERVAL_MS: "1000",
    DRAIN_GRACE_MS: "0",
    LOG_LEVEL: "warn",
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN,
    SPOOL_DIR: spool,
    NAS_PATH: path.join(dataDir, "recordings"),
    RECORDING_STORAGE: "nas",
    OUTBOUND_ALLOW: outboundAllow.join(","),
  });
  const service = await startMediaNodeService(config, createLogger("warn", { node: nodeId }));
  return { service, rtcPorts: Array.from({ length: config.numWorkers }, (_, i) => config.rtcMinPort + i) };
}

async function nodeUp(edge: RunningEdge, nodeId: string): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${edge.url}/v1/fleet/nodes`, { headers: { authorization: `Bearer ${edge.operatorKey}` } });
    const { nodes } = (await res.json()) as { nodes: { node: string; status: string }[] };
    return nodes.some((n) => n.node === nodeId && n.status === "up");
  }, `media node ${nodeId} to register with the edge`);
}

/**
 * `outboundAllow`: the `host:port`s on 127.0.0.1 the test's tenant URLs may name (its webhook
 * receivers, nginx-rtmp, RGW), on the edge and the node alike; nothing else internal is reachable.
 */
export async function startStack(options: { nodeId?: string; outboundAllow?: readonly string[] } = {}): Promise<Stack> {
  const outboundAllow = options.outboundAllow ?? [];
  const edge = await startEdge({ state: "temp", logLevel: "error", outboundAllow });
  let nodeId = options.nodeId ?? `e2e-${process.pid}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-e2e-data-"));
  await mkdir(path.join(dataDir, "recordings"));
  let node: MediaNodeService;
  let rtcPorts: number[];
  try {
    ({ service: node, rtcPorts } = await startNode(edge, nodeId, dataDir, path.join(dataDir, "spool"), outboundAllow));
  } catch (err) {
    await edge.stop(); // do not leak a running edge (workerd) when the node cannot start
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const apps = new AppsClient(edge.url, edge.operatorKey);
  // named as `npm start`'s dev app, so the demo page's dev token endpoint mints for it too
  const created = await apps.create({ name: DEV_APP_NAME });
  await nodeUp(edge, nodeId);

  const rtc = useNodeWebRTC();
  const app = { appKey: created.appKey, appSecret: created.appSecret };
  const token = (room: string, user: string, grants?: Record<string, boolean>) => mintToken({ ...app, room, user, grants });
  const bots: Bot[] = [];
  return {
    edge,
    dataDir,
    get node() {
      return node;
    },
    get nodeId() {
      return nodeId;
    },
    get rtcPorts() {
      return rtcPorts;
    },
    app,
    token,
    async replaceNode() {
      await node.shutdown(0);
      nodeId = `${nodeId}-next`;
      ({ service: node, rtcPorts } = await startNode(edge, nodeId, dataDir, path.join(dataDir, `spool-${nodeId}`), outboundAllow));
      await nodeUp(edge, nodeId);
    },
    async bot(roomName, user, botOptions = {}) {
      const room = await Room.connect(edge.url, roomName, await token(roomName, user), { ...rtc, ...botOptions });
      const sources: { stop(): void }[] = [];
      const video = botOptions.video ?? true;
      if (video) {
        const size = typeof video === "object" ? video : { width: 320, height: 240 };
        const v = syntheticVideo({ ...size, fps: typeof video === "object" ? video.fps : 15 });
        sources.push(v);
        const simulcast = typeof video === "object" && video.simulcast;
        await room.publishTrack(
          v.track,
          "camera",
          simulcast
            ? {
                encodings: [
                  { rid: "r0", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
                  { rid: "r1", scaleResolutionDownBy: 2, maxBitrate: 400_000 },
                  { rid: "r2", scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
                ],
              }
            : {},
        );
      }
      if (botOptions.audio ?? true) {
        const a = syntheticAudio();
        sources.push(a);
        await room.publishTrack(a.track, "microphone");
      }
      const bot = {
        room,
        async stop() {
          await room.leave();
          for (const s of sources) s.stop();
        },
      };
      bots.push(bot);
      return bot;
    },
    async stop() {
      await Promise.allSettled(bots.map((b) => b.stop()));
      await node.shutdown(0);
      await edge.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One public API call with the stack's app credentials: the status, the body as sent and parsed. */
export async function appApi<T>(
  stack: Stack,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: T }> {
  const res = await fetch(`${stack.edge.url}${urlPath}`, {
    method,
    headers: { authorization: `Basic ${btoa(`${stack.app.appKey}:${stack.app.appSecret}`)}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as T };
}

export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** What a user's quality panel shows for each remote member: decoded frames, audio packets, width. */
export async function received(
  room: Room,
): Promise<Map<string, { framesDecoded: number; audioPackets: number; width: number; bitrate: number }>> {
  const report = await room.getQuality();
  const out = new Map<string, { framesDecoded: number; audioPackets: number; width: number; bitrate: number }>();
  for (const member of room.members.values()) {
    const mine = report.tracks.filter((t) => t.direction === "recv" && t.member === member.id);
    out.set(member.user, {
      framesDecoded: mine.reduce((n, t) => n + (t.framesDecoded ?? 0), 0),
      audioPackets: mine.filter((t) => t.kind === "audio").reduce((n, t) => n + t.packets, 0),
      width: Math.max(0, ...mine.map((t) => t.width ?? 0)),
      bitrate: mine.reduce((n, t) => n + t.bitrate, 0),
    });
  }
  return out;
}

export { freePort };
