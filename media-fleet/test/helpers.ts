/** A real media node on 127.0.0.1 for tests, and a client for its control API. */
import { type NodeEvent, signControlToken } from "@parley/shared";
import { inject } from "vitest";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { type MediaNodeService, startMediaNodeService } from "../src/service.js";

export const FLEET_SECRET = "test-fleet-secret-0123456789abcdef";

export interface TestNode {
  service: MediaNodeService;
  nodeId: string;
  baseUrl: string;
  events: NodeEvent[];
  /** A signed control call; `sign` overrides what goes into the token. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever response shape the route has
  call(method: string, path: string, room: string, body?: unknown, sign?: SignOverrides): Promise<{ status: number; json: any }>;
  /** Resolves with the first event matching `predicate` (already seen or yet to come). */
  waitForEvent<T extends NodeEvent>(predicate: (e: NodeEvent) => e is T, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface SignOverrides {
  secret?: string;
  node?: string;
  room?: string;
  now?: number;
  token?: string | null;
}

/**
 * Shifts every fixed test port block (RTC, recording, RGW) so two checkouts can run their suites
 * side by side on one machine: PARLEY_TEST_PORT_OFFSET=1000 npm test.
 */
export const TEST_PORT_OFFSET = Number(process.env.PARLEY_TEST_PORT_OFFSET ?? 0);

/** Shifts the recording port range of a test's env by TEST_PORT_OFFSET. */
function shiftPorts(env: Record<string, string> = {}): Record<string, string> {
  const shifted = { ...env };
  for (const key of ["RECORDING_MIN_PORT", "RECORDING_MAX_PORT"]) {
    if (shifted[key]) shifted[key] = String(Number(shifted[key]) + TEST_PORT_OFFSET);
  }
  return shifted;
}

/**
 * OUTBOUND_ALLOW of a test node: what the test names (its nginx-rtmp, its HTTP servers) plus the
 * run's Ceph RGW, the one private service every S3 test reaches; nothing else on 127.0.0.1.
 */
function outboundAllow(own: string | undefined): string {
  const rgw = inject("rgw");
  const entries = [own, "endpoint" in rgw ? new URL(rgw.endpoint).host : undefined];
  return entries.filter(Boolean).join(",");
}

/** Each test file gets its own port block so files can run in parallel. */
export async function startTestNode(options: {
  rtcBasePort: number;
  numWorkers?: number;
  env?: Record<string, string>;
  fetch?: typeof fetch;
}): Promise<TestNode> {
  const nodeId = `test-node-${options.rtcBasePort}`;
  const config = loadConfig({
    NODE_ID: nodeId,
    REGION: "local",
    FLEET_SECRET,
    CONTROL_HOST: "127.0.0.1",
    CONTROL_PORT: "0",
    PARLEY_ANNOUNCED_IP: "127.0.0.1",
    LISTEN_IP: "127.0.0.1",
    RTC_MIN_PORT: String(options.rtcBasePort + TEST_PORT_OFFSET),
    RTC_MAX_PORT: String(options.rtcBasePort + TEST_PORT_OFFSET + 9),
    NUM_WORKERS: String(options.numWorkers ?? 2),
    DRAIN_GRACE_MS: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? "",
    ...shiftPorts(options.env),
    OUTBOUND_ALLOW: outboundAllow(options.env?.OUTBOUND_ALLOW),
  });
  const service = await startMediaNodeService(config, createLogger(config.logLevel), { fetch: options.fetch });
  const baseUrl = `http://127.0.0.1:${service.controlPort}`;
  const events: NodeEvent[] = [];
  const waiters = new Set<() => void>();
  service.node.on("event", (e) => {
    events.push(e);
    for (const w of waiters) w();
  });
  return {
    service,
    nodeId,
    baseUrl,
    events,
    call: controlCaller(baseUrl, nodeId),
    waitForEvent(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error("timed out waiting for a node event"));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => service.shutdown(0),
  };
}

/** Signed control calls to the node at `baseUrl`, as the Room DO makes them. */
export function controlCaller(baseUrl: string, nodeId: string): TestNode["call"] {
  return async (method, path, room, body, sign = {}) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const token =
      sign.token === undefined
        ? await signControlToken({
            secret: sign.secret ?? FLEET_SECRET,
            node: sign.node ?? nodeId,
            room: sign.room ?? room,
            now: sign.now,
            body: text,
          })
        : sign.token;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: text });
    return { status: response.status, json: await response.json() };
  };
}

/** What a test driving a node through its control API needs (publish() in recording-peer.ts). */
export type ControlClient = Pick<TestNode, "call" | "waitForEvent">;

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
