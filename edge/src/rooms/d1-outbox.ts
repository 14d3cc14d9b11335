import type { AlarmSchedule } from "../durable/alarms.js";
import { log } from "../log/index.js";

type Param = string | number | null;

/** A flush that failed is tried again this long after, from the alarm. */
const RETRY_MS = 5000;

/**
 * Durable writes from a Room DO to D1 without putting D1 on the request path: each statement is
 * first appended to an outbox in the DO's own SQLite (durable together with the change that caused
 * it), then flushed to D1 in order. A failed flush stays queued for the next one (the Room DO's
 * alarm retries), so an eviction or a D1 outage delays records but never loses them.
 */
export class D1Outbox {
  #ctx: DurableObjectState;
  #sql: SqlStorage;
  #db: D1Database;
  #alarms: AlarmSchedule;
  #flushing: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, db: D1Database, alarms: AlarmSchedule) {
    this.#ctx = ctx;
    this.#sql = ctx.storage.sql;
    this.#db = db;
    this.#alarms = alarms;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS cdr_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, statement TEXT NOT NULL, params TEXT NOT NULL)",
    );
    alarms.add(() => (this.pending() > 0 ? Date.now() + RETRY_MS : null));
  }

  enqueue(statement: string, params: Param[]): void {
    this.#sql.exec("INSERT INTO cdr_outbox (statement, params) VALUES (?, ?)", statement, JSON.stringify(params));
  }

  pending(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM cdr_outbox").one().n;
  }

  /** Flushes after the current request, which never waits for D1; a failure is retried from the alarm. */
  flushLater(): void {
    this.#ctx.waitUntil(
      this.flush().catch(async (error) => {
        log({ event: "outbox.flush_failed", error });
        await this.#alarms.reschedule();
      }),
    );
  }

  /** Writes queued statements to D1 in order; one flush at a time. Throws when D1 refuses. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    for (;;) {
      const rows = this.#sql
        .exec<{ seq: number; statement: string; params: string }>("SELECT seq, statement, params FROM cdr_outbox ORDER BY seq LIMIT 50")
        .toArray();
      if (rows.length === 0) return;
      await this.#db.batch(rows.map((r) => this.#db.prepare(r.statement).bind(...(JSON.parse(r.params) as Param[]))));
      this.#sql.exec("DELETE FROM cdr_outbox WHERE seq <= ?", rows.at(-1)?.seq ?? 0);
    }
  }
}
