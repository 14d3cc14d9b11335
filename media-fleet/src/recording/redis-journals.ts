/**
 * Recording journals in Redis (REDIS_URL): one hash per node, `parley:node:<nodeId>:journals`, a
 * field per recording. The storage config inside each journal is sealed (seal.ts), so a shared
 * Redis never holds S3 keys in the clear.
 *
 * Redis being unreachable never crashes the node: the client reconnects with backoff for ever and
 * keeps commands queued in order meanwhile, so a journal write issued during an outage lands when
 * Redis is back. A write waits at most WRITE_WAIT_MS for that, then reports the outage to its caller
 * (which logs it and carries on) while the queued write stays queued.
 */
import { ParleyError } from "@parley/shared";
import { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { JournalBackend, JournalData } from "./journal.js";
import { Sealer } from "./seal.js";

const WRITE_WAIT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 5000;

export class RedisJournals implements JournalBackend {
  readonly description: string;
  readonly #client: Redis;
  readonly #key: string;
  readonly #sealer: Sealer;
  readonly #logger: Logger;
  #ready = false;
  #lastError = "";

  constructor(o: { url: string; nodeId: string; secret: string; logger: Logger }) {
    this.description = describeRedisUrl(o.url);
    this.#key = `parley:node:${o.nodeId}:journals`;
    this.#sealer = new Sealer(o.secret);
    this.#logger = o.logger;
    this.#client = new Redis(o.url, {
      connectTimeout: 3000,
      // Commands wait for a reconnect instead of failing after N attempts: nothing is dropped.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** Math.min(attempt, 10)),
    });
    this.#client.on("ready", () => {
      this.#ready = true;
      this.#lastError = "";
      this.#logger.info({ redis: this.description }, "recording journal store connected");
    });
    this.#client.on("close", () => {
      this.#ready = false;
    });
    this.#client.on("error", (error: Error) => {
      // Logged once per distinct failure, not on every reconnect attempt.
      if (error.message === this.#lastError) return;
      this.#lastError = error.message;
      this.#logger.error({ redis: this.description, err: error.message }, "recording journal store (Redis) unreachable; retrying");
    });
  }

  get ready(): boolean {
    return this.#ready;
  }

  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.#ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#client.off("ready", onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#client.on("ready", onReady);
    });
  }

  async write(data: JournalData): Promise<void> {
    const record = { ...data, storage: { sealed: this.#sealer.seal(JSON.stringify(data.storage), data.recordingId) } };
    await this.#bounded(this.#client.hset(this.#key, data.recordingId, JSON.stringify(record)), "journal write");
  }

  async delete(id: string): Promise<void> {
    await this.#bounded(this.#client.hdel(this.#key, id), "journal delete");
  }

  async readAll(): Promise<{ id: string; value?: unknown; error?: string }[]> {
    const all = await this.#client.hgetall(this.#key);
    return Object.entries(all).map(([id, text]) => {
      try {
        const record = JSON.parse(text) as { storage?: { sealed?: unknown } };
        const sealed = record.storage?.sealed;
        if (typeof sealed !== "string") return { id, error: "the journal's storage is not sealed" };
        let storage: unknown;
        try {
          storage = JSON.parse(this.#sealer.open(sealed, id));
        } catch {
          return { id, error: "the journal's storage credentials could not be unsealed (was FLEET_SECRET changed?)" };
        }
        return { id, value: { ...record, storage } };
      } catch (error) {
        return { id, error: (error as Error).message.slice(0, 300) };
      }
    });
  }

  async close(): Promise<void> {
    // quit() lets queued writes go out first; without a connection there is nothing to flush to.
    if (this.#ready) await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }

  /** Waits for `command` at most WRITE_WAIT_MS; past that it stays queued and the caller hears of the outage. */
  #bounded(command: Promise<unknown>, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ParleyError(
              "RECORDING_QUEUE_UNAVAILABLE",
              `${what} queued: Redis at ${this.description} has not answered for ${WRITE_WAIT_MS} ms`,
            ),
          ),
        WRITE_WAIT_MS,
      );
      command.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** `redis://host:port/db` without user or password: safe for logs and health answers. */
export function describeRedisUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname.length > 1 ? u.pathname : ""}`;
}
