/** Media node configuration: environment variables with defaults, validated once at start. */
import { accessSync, constants, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { CONTROL_LIMITS, NodeId, Region } from "@parley/shared";
import { z } from "zod";
import { type RecordingConfig, RecordingEnv, recordingConfigFrom } from "./recording/config.js";

const Port = z.coerce.number().int().min(1).max(65535);
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const Env = z
  .object({
    NODE_ID: NodeId,
    REGION: Region.default("local"),
    FLEET_SECRET: z.string().min(CONTROL_LIMITS.minSecretChars, `must be at least ${CONTROL_LIMITS.minSecretChars} characters`),
    CONTROL_HOST: z.string().min(1).default("127.0.0.1"),
    /** 0 picks a free port (tests). */
    CONTROL_PORT: z.coerce.number().int().min(0).max(65535).default(4443),
    /** URL the edge uses to reach the control API; defaults to http://CONTROL_HOST:CONTROL_PORT. */
    CONTROL_URL: z.url().optional(),
    /** Address put in ICE candidates: what clients send media to. */
    PARLEY_ANNOUNCED_IP: z.string().min(1).optional(),
    ANNOUNCED_IP: z.string().min(1).optional(),
    /** Local address the WebRtcServers bind. */
    LISTEN_IP: z.ipv4().or(z.ipv6()).default("0.0.0.0"),
    // Below Linux's default ephemeral range (32768-60999): an outgoing connection's TIME_WAIT on a
    // port in that range makes a worker's TCP listen fail with EADDRINUSE after a restart.
    RTC_MIN_PORT: Port.default(20000),
    RTC_MAX_PORT: Port.default(20999),
    NUM_WORKERS: z.coerce.number().int().min(1).max(256).optional(),
    EDGE_URL: z.url().optional(),
    HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(500).max(60_000).default(5000),
    /** How long a draining node keeps its rooms before closing them, in milliseconds. */
    DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    MEDIASOUP_WORKER_BIN: z.string().min(1, "is empty"),
    /** Recording journals and upload queue in Redis (keyed by NODE_ID) instead of the spool. */
    REDIS_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL, e.g. redis://:password@host:6379/0" }).optional(),
    ),
  })
  .refine((e) => e.RTC_MIN_PORT <= e.RTC_MAX_PORT, { message: "RTC_MIN_PORT must not exceed RTC_MAX_PORT", path: ["RTC_MIN_PORT"] });

/** Every variable the node reads besides recording's (RecordingEnv): the deployment templates list them all. */
export { Env as NodeEnv };

export interface NodeConfig {
  nodeId: string;
  region: string;
  fleetSecret: string;
  controlHost: string;
  controlPort: number;
  controlUrl: string;
  announcedIp: string;
  listenIp: string;
  rtcMinPort: number;
  rtcMaxPort: number;
  numWorkers: number;
  edgeUrl: string | undefined;
  heartbeatIntervalMs: number;
  drainGraceMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  workerBin: string;
  /** Where recording journals live: Redis when set (never log it: it may hold a password), else the spool. */
  redisUrl: string | undefined;
  /** Recording spool, default storage and segments (src/recording/config.ts). */
  recording: RecordingConfig;
  /** Things that work but are risky, for the log at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses and checks the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const parsed = Env.safeParse(env);
  const recording = RecordingEnv.safeParse(env);
  if (!parsed.success || !recording.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(recording.error?.issues ?? [])];
    const lines = issues.map((i) => `  ${i.path.join(".") || "env"}: ${i.message}`);
    throw new ConfigError(`invalid media node configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const numWorkers = e.NUM_WORKERS ?? availableParallelism();
  // mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported; checking it here turns a
  // cryptic spawn ENOENT later into a message that says how to get the binary.
  try {
    accessSync(e.MEDIASOUP_WORKER_BIN, constants.X_OK);
  } catch {
    throw new ConfigError(
      `MEDIASOUP_WORKER_BIN=${e.MEDIASOUP_WORKER_BIN} is not an executable file: run infra/mediasoup/ensure-worker.sh and export its output`,
    );
  }
  // One UDP+TCP port per worker's WebRtcServer, taken from the range.
  if (e.RTC_MAX_PORT - e.RTC_MIN_PORT + 1 < numWorkers) {
    throw new ConfigError(`RTC port range ${e.RTC_MIN_PORT}-${e.RTC_MAX_PORT} is smaller than NUM_WORKERS=${numWorkers}`);
  }
  return {
    nodeId: e.NODE_ID,
    region: e.REGION,
    fleetSecret: e.FLEET_SECRET,
    controlHost: e.CONTROL_HOST,
    controlPort: e.CONTROL_PORT,
    controlUrl: e.CONTROL_URL ?? `http://${e.CONTROL_HOST.includes(":") ? `[${e.CONTROL_HOST}]` : e.CONTROL_HOST}:${e.CONTROL_PORT}`,
    announcedIp: e.PARLEY_ANNOUNCED_IP ?? e.ANNOUNCED_IP ?? "127.0.0.1",
    listenIp: e.LISTEN_IP,
    rtcMinPort: e.RTC_MIN_PORT,
    rtcMaxPort: e.RTC_MAX_PORT,
    numWorkers,
    edgeUrl: e.EDGE_URL?.replace(/\/+$/, ""),
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    drainGraceMs: e.DRAIN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    workerBin: e.MEDIASOUP_WORKER_BIN,
    redisUrl: e.REDIS_URL,
    recording: recordingConfigFrom(recording.data),
    warnings: ephemeralOverlap(e.RTC_MIN_PORT, Math.min(e.RTC_MAX_PORT, e.RTC_MIN_PORT + numWorkers - 1)),
  };
}

/** Worker ports inside the kernel's ephemeral range can be taken by outgoing connections. */
function ephemeralOverlap(first: number, last: number): string[] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && first <= high && last >= low) {
      return [
        `RTC ports ${first}-${last} overlap the kernel's ephemeral ports ${low}-${high}; a worker may fail to listen after a restart`,
      ];
    }
  } catch {
    // Not Linux: nothing to check.
  }
  return [];
}
