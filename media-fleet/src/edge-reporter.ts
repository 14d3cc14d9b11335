/**
 * Sends node events and heartbeats to the edge (POST /internal/fleet/{events,heartbeat}), each
 * signed with the fleet secret (iss = node id, aud "parley-edge", bsh = body hash). Delivery is
 * best-effort with backoff: the edge being down must never take the node down. Without EDGE_URL
 * everything is only logged, which is how a node runs on its own.
 */
import { CONTROL_LIMITS, FLEET_ROUTES, type FleetEvent, type NodeHeartbeat, signFleetToken } from "@parley/shared";
import type { Logger } from "./logger.js";

export interface EdgeReporterOptions {
  nodeId: string;
  fleetSecret: string;
  edgeUrl: string | undefined;
  logger: Logger;
  /** Builds the heartbeat body; called every interval. */
  heartbeat: () => Promise<Omit<NodeHeartbeat, "seq">>;
  heartbeatIntervalMs: number;
  onDeliveryFailure?: (kind: "events" | "heartbeat") => void;
  /** Injected in tests. */
  fetch?: typeof fetch;
}

/** Events kept while the edge is unreachable; the oldest are dropped beyond this. */
const MAX_QUEUED_EVENTS = 5000;
const FLUSH_DELAY_MS = 200;
const REQUEST_TIMEOUT_MS = 5000;
const MAX_BACKOFF_MS = 30_000;

export class EdgeReporter {
  readonly #options: EdgeReporterOptions;
  readonly #fetch: typeof fetch;
  #queue: FleetEvent[] = [];
  #dropped = 0;
  #seq = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #flushing = false;
  #eventFailures = 0;
  #stopped = false;

  constructor(options: EdgeReporterOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  start(): void {
    void this.#beat();
  }

  report(event: FleetEvent): void {
    if (this.#stopped) return;
    if (!this.#options.edgeUrl) {
      this.#options.logger.debug({ event }, "node event (no EDGE_URL)");
      return;
    }
    this.#queue.push(event);
    if (this.#queue.length > MAX_QUEUED_EVENTS) {
      const excess = this.#queue.length - MAX_QUEUED_EVENTS;
      this.#queue.splice(0, excess);
      this.#dropped += excess;
    }
    this.#scheduleFlush(FLUSH_DELAY_MS);
  }

  /** Stops the heartbeat and tries once to deliver what is queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#heartbeatTimer);
    clearTimeout(this.#flushTimer);
    if (this.#queue.length > 0 && !this.#flushing) await this.#flush();
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    try {
      const body: NodeHeartbeat = { ...(await this.#options.heartbeat()), seq: this.#seq++ };
      if (this.#options.edgeUrl) {
        await this.#post(FLEET_ROUTES.heartbeat, body);
      } else {
        this.#options.logger.debug({ load: body.load }, "heartbeat (no EDGE_URL)");
      }
    } catch (error) {
      this.#options.onDeliveryFailure?.("heartbeat");
      this.#options.logger.warn({ err: (error as Error).message }, "heartbeat not delivered");
    }
    // Heartbeats need no retry of their own: the next one carries the whole state.
    if (!this.#stopped) {
      this.#heartbeatTimer = setTimeout(() => void this.#beat(), this.#options.heartbeatIntervalMs);
      this.#heartbeatTimer.unref();
    }
  }

  #scheduleFlush(delayMs: number): void {
    if (this.#flushTimer || this.#flushing) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#flush();
    }, delayMs);
    this.#flushTimer.unref();
  }

  async #flush(): Promise<void> {
    if (this.#queue.length === 0) return;
    this.#flushing = true;
    const batch = this.#queue.slice(0, CONTROL_LIMITS.eventsPerBatch);
    try {
      await this.#post(FLEET_ROUTES.events, { node: this.#options.nodeId, events: batch });
      this.#queue.splice(0, batch.length);
      this.#eventFailures = 0;
      if (this.#dropped > 0) {
        this.#options.logger.warn({ dropped: this.#dropped }, "node events dropped while the edge was unreachable");
        this.#dropped = 0;
      }
    } catch (error) {
      if (error instanceof EdgeRefusal && error.permanent) {
        // The edge will never take this batch (e.g. a schema mismatch): retrying would block the queue.
        this.#queue.splice(0, batch.length);
        this.#options.logger.error({ err: error.message, dropped: batch.length }, "edge refused node events; dropped them");
        this.#flushing = false;
        if (this.#queue.length > 0) this.#scheduleFlush(FLUSH_DELAY_MS);
        return;
      }
      this.#eventFailures++;
      this.#options.onDeliveryFailure?.("events");
      this.#options.logger.warn(
        { err: (error as Error).message, queued: this.#queue.length, attempt: this.#eventFailures },
        "node events not delivered; retrying",
      );
    } finally {
      this.#flushing = false;
    }
    if (this.#stopped || this.#queue.length === 0) return;
    // Exponential backoff with jitter after failures; straight on when the queue is just long.
    const backoff = this.#eventFailures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.#eventFailures) * (0.5 + Math.random() / 2);
    this.#scheduleFlush(backoff);
  }

  async #post(path: string, body: unknown): Promise<void> {
    const text = JSON.stringify(body);
    const token = await signFleetToken({ secret: this.#options.fleetSecret, node: this.#options.nodeId, body: text });
    const response = await this.#fetch(`${this.#options.edgeUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: text,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new EdgeRefusal(response.status, path);
  }
}

class EdgeRefusal extends Error {
  readonly status: number;
  constructor(status: number, path: string) {
    super(`edge answered ${status} to POST ${path}`);
    this.status = status;
  }
  /** 4xx other than timeouts and rate limits will not change on retry; 401 may (secret rotation) so it retries. */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && ![401, 408, 425, 429].includes(this.status);
  }
}
