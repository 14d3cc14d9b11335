/**
 * Media node entry point: `MEDIASOUP_WORKER_BIN=$(infra/mediasoup/ensure-worker.sh) NODE_ID=… FLEET_SECRET=… tsx media-fleet/src/main.ts`.
 * SIGTERM/SIGINT drain the node (no new rooms, DRAIN_GRACE_MS for existing ones), then exit 0.
 */
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startMediaNodeService } from "./service.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: systemd and CI show it as a configuration error
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { node: config.nodeId, region: config.region });
  const service = await startMediaNodeService(config, logger);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, "second signal: exiting without waiting for the drain");
      process.exit(1);
    }
    logger.info({ signal, graceMs: config.drainGraceMs }, "shutting down");
    service.shutdown().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("unhandledRejection", (reason) => logger.error({ err: String(reason) }, "unhandled rejection"));
}

main().catch((error: Error) => {
  process.stderr.write(`media node failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
