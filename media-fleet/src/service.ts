/** Wires a media node together: worker pool, rooms, control server, metrics and edge reporter. */
import { version as MEDIASOUP_VERSION } from "mediasoup";
import type { NodeConfig } from "./config.js";
import { ControlServer } from "./control-server.js";
import { EdgeReporter } from "./edge-reporter.js";
import type { Logger } from "./logger.js";
import { MediaNode } from "./media-node.js";
import { NodeMetrics } from "./metrics.js";
import { setOutboundPolicy } from "./outbound/outbound-policy.js";
import { DownloadHandler } from "./recording/downloads.js";
import { JournalStore, SpoolJournals } from "./recording/journal.js";
import { ProducerRegistry } from "./recording/producer-registry.js";
import { RecordingManager } from "./recording/recording-manager.js";
import { RedisJournals } from "./recording/redis-journals.js";
import { WorkerPool } from "./worker-pool.js";

/** How long start waits for the journal store (Redis) before going on unhealthy. */
const JOURNAL_STORE_WAIT_MS = 5000;

export interface MediaNodeService {
  readonly node: MediaNode;
  readonly metrics: NodeMetrics;
  readonly reporter: EdgeReporter;
  readonly recordings: RecordingManager;
  /** The port the control server bound (CONTROL_PORT, or the one picked for port 0). */
  readonly controlPort: number;
  /** Drain (no new rooms; existing ones get `graceMs`), then close everything. Idempotent. */
  shutdown(graceMs?: number): Promise<void>;
}

export async function startMediaNodeService(
  config: NodeConfig,
  logger: Logger,
  options: { fetch?: typeof fetch } = {},
): Promise<MediaNodeService> {
  if (process.env.MEDIASOUP_WORKER_BIN !== config.workerBin) {
    // mediasoup read the variable when it was imported; a different value now would be ignored.
    throw new Error("MEDIASOUP_WORKER_BIN must be set in the environment before the node starts");
  }
  for (const warning of config.warnings) logger.warn(warning);
  setOutboundPolicy(config.recording.outbound);
  const pool = await WorkerPool.create({
    numWorkers: config.numWorkers,
    listenIp: config.listenIp,
    announcedIp: config.announcedIp,
    basePort: config.rtcMinPort,
    logger,
  });
  const node = new MediaNode(pool, logger);
  // Watches routers from their creation, so recordings see every producer of a room.
  const registry = new ProducerRegistry(pool);
  const spoolJournals = new SpoolJournals(config.recording.spoolDir);
  const journals = config.redisUrl
    ? // Journals a spool-only run left behind move into Redis, so adding REDIS_URL loses no pending upload.
      new JournalStore(
        new RedisJournals({ url: config.redisUrl, nodeId: config.nodeId, secret: config.fleetSecret, logger }),
        spoolJournals,
      )
    : new JournalStore(spoolJournals);
  const recordings = new RecordingManager(config.recording, registry, logger, journals);
  const metrics = new NodeMetrics(node, { node: config.nodeId, region: config.region }, recordings);
  const startedAt = Date.now();
  const reporter = new EdgeReporter({
    nodeId: config.nodeId,
    fleetSecret: config.fleetSecret,
    edgeUrl: config.edgeUrl,
    logger,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    onDeliveryFailure: (kind) => metrics.edgeDeliveryFailures.inc({ kind }),
    fetch: options.fetch,
    heartbeat: async () => ({
      node: config.nodeId,
      region: config.region,
      controlUrl: config.controlUrl,
      publicAddress: config.announcedIp,
      capacity: { workers: config.numWorkers },
      load: await node.load(),
      draining: node.draining,
      version: MEDIASOUP_VERSION,
      startedAt,
    }),
  });
  node.on("event", (event) => reporter.report(event));
  recordings.on("event", (event) => reporter.report(event));
  try {
    // Recovery reports to the edge, so it runs once events are wired. An unreachable Redis does not
    // stop the node: it starts unhealthy and resumes the journals when Redis answers.
    await recordings.resume(JOURNAL_STORE_WAIT_MS);
  } catch (error) {
    await recordings.close();
    node.close();
    throw error;
  }
  const downloads = new DownloadHandler({
    root: config.recording.nasPath,
    secret: config.fleetSecret,
    logger,
    onResponse: (status) => metrics.controlRequests.inc({ route: "download", status: String(status) }),
  });
  const server = new ControlServer({
    node,
    recordings,
    nodeId: config.nodeId,
    fleetSecret: config.fleetSecret,
    metrics,
    logger,
    downloads,
  });
  let controlPort: number;
  try {
    controlPort = await server.listen(config.controlPort, config.controlHost);
  } catch (error) {
    await recordings.close();
    node.close();
    throw error;
  }
  reporter.start();
  logger.info({ control: `${config.controlHost}:${controlPort}`, workers: pool.size, edge: config.edgeUrl ?? null }, "media node started");

  let shutdown: Promise<void> | undefined;
  return {
    node,
    metrics,
    reporter,
    recordings,
    controlPort,
    shutdown(graceMs = config.drainGraceMs) {
      shutdown ??= (async () => {
        // Drain first while the control API stays up, so the Room DO can still close what it moves.
        await node.drain(graceMs);
        await server.close();
        // Capture ends (segments closed and journaled); pending uploads resume on the next start.
        await recordings.close();
        // A last heartbeat says "draining"; queued events (room.closed) go out with it.
        await reporter.stop();
        node.close();
        logger.info("media node stopped");
      })();
      return shutdown;
    },
  };
}
