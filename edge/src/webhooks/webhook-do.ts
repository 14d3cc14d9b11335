import { DurableObject } from "cloudflare:workers";
import { ParleyError, signWebhookBody, WEBHOOK_LIMITS, WEBHOOK_SIGNATURE_HEADER, WebhookEvent } from "@parley/shared";
import type { Env } from "../env.js";
import { tenantTarget } from "../outbound/tenant-targets.js";
import { type AttemptRecord, type DeliveryTarget, WebhookStore } from "./webhook-store.js";

/** Webhook config is re-read from D1 at most this often (routes also invalidate it on change). */
const TARGETS_TTL_MS = 30_000;
/** A failed D1 read or log flush is retried from the alarm after this long. */
const STORAGE_RETRY_MS = 5000;
/** Finished events are remembered this long so a re-sent event id is not delivered twice. */
const DEDUP_WINDOW_MS = 24 * 60 * 60_000;
/** At most one licence.limit_reached per code per app this often: a full app refuses joins in bursts. */
const LICENCE_EVENT_INTERVAL_MS = 60_000;

type Head = {
  webhook_id: string;
  event_seq: number;
  attempts: number;
  queued_at: number;
  id: string;
  type: string;
  body: string;
};

/**
 * One per app: a durable queue of the app's webhook events in SQLite, delivered to each webhook
 * URL in order. Only the oldest queued event of a URL is ever in flight, so a URL sees events in
 * the order they were emitted; a failure holds that URL's queue and is retried from the alarm with
 * exponential backoff until the event has been queued for WEBHOOK_LIMITS.retryWindowMs, then
 * marked failed and skipped. Every attempt goes to a local outbox, then to D1's delivery log.
 */
export class WebhookDO extends DurableObject<Env> {
  #sql: SqlStorage;
  #targets: { list: DeliveryTarget[]; at: number } | null = null;
  #pumping: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS wh_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS wh_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        fanned_out INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS wh_queue (
        webhook_id TEXT NOT NULL,
        event_seq INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        PRIMARY KEY (webhook_id, event_seq)
      );
      CREATE TABLE IF NOT EXISTS wh_log_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL);
    `);
  }

  // ── RPC ──────────────────────────────────────────────────────────────────

  /** Queues an event (idempotent by event id) and wakes delivery. False when it was not queued. */
  async enqueue(input: WebhookEvent): Promise<boolean> {
    const parsed = WebhookEvent.safeParse(input);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", msg: "invalid webhook event dropped", issue: parsed.error.issues[0]?.message }));
      return false;
    }
    const event = parsed.data;
    const now = Date.now();
    if (event.type === "licence.limit_reached" && !this.#licenceEventDue(event.data.code, now)) return false;
    this.#setMeta("appKey", event.app);
    const inserted = this.#sql.exec(
      "INSERT OR IGNORE INTO wh_events (id, type, body, received_at) VALUES (?, ?, ?, ?)",
      event.id,
      event.type,
      JSON.stringify(event),
      now,
    ).rowsWritten;
    if (inserted > 0) await this.ctx.storage.setAlarm(now);
    return inserted > 0;
  }

  /** The app's webhooks changed (routes call this): the next delivery re-reads them. */
  configChanged(): void {
    this.#targets = null;
  }

  override async alarm(): Promise<void> {
    this.#pumping ??= this.#pump().finally(() => {
      this.#pumping = null;
    });
    await this.#pumping;
  }

  // ── delivery ─────────────────────────────────────────────────────────────

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const targets = await this.#loadTargets();
        this.#fanOut(targets);
        const heads = this.#dueHeads(Date.now());
        if (heads.length === 0) break;
        // different URLs in parallel; one event per URL, so each URL's order holds
        await Promise.all(heads.map((head) => this.#attempt(head, targets.get(head.webhook_id) as DeliveryTarget)));
      }
      await this.#flushLog();
      this.#sql.exec(
        "DELETE FROM wh_events WHERE fanned_out = 1 AND received_at < ? AND seq NOT IN (SELECT event_seq FROM wh_queue)",
        Date.now() - DEDUP_WINDOW_MS,
      );
      await this.#schedule(null);
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", msg: "webhook delivery round failed; retrying", error: String(err) }));
      await this.#schedule(Date.now() + STORAGE_RETRY_MS);
    }
  }

  /** Enabled webhooks of the app by id; queued deliveries of deleted or disabled ones are dropped. */
  async #loadTargets(): Promise<Map<string, DeliveryTarget>> {
    const appKey = this.#getMeta("appKey");
    if (!appKey) return new Map();
    if (!this.#targets || Date.now() - this.#targets.at > TARGETS_TTL_MS) {
      this.#targets = { list: await new WebhookStore(this.env).targets(appKey), at: Date.now() };
    }
    const enabled = new Map(this.#targets.list.filter((t) => t.enabled).map((t) => [t.id, t]));
    for (const { webhook_id } of this.#sql.exec<{ webhook_id: string }>("SELECT DISTINCT webhook_id FROM wh_queue").toArray()) {
      if (!enabled.has(webhook_id)) this.#sql.exec("DELETE FROM wh_queue WHERE webhook_id = ?", webhook_id);
    }
    return enabled;
  }

  /** New events get one queue row per enabled webhook whose filter names their type. */
  #fanOut(targets: Map<string, DeliveryTarget>): void {
    const fresh = this.#sql
      .exec<{ seq: number; type: string; received_at: number }>(
        "SELECT seq, type, received_at FROM wh_events WHERE fanned_out = 0 ORDER BY seq",
      )
      .toArray();
    for (const event of fresh) {
      for (const target of targets.values()) {
        if (!target.events.includes(event.type as never)) continue;
        this.#sql.exec(
          "INSERT OR IGNORE INTO wh_queue (webhook_id, event_seq, queued_at, next_attempt_at) VALUES (?, ?, ?, ?)",
          target.id,
          event.seq,
          event.received_at,
          event.received_at,
        );
      }
      this.#sql.exec("UPDATE wh_events SET fanned_out = 1 WHERE seq = ?", event.seq);
    }
  }

  /** Each webhook's oldest queued event, when it is due. */
  #dueHeads(now: number): Head[] {
    return this.#sql
      .exec<Head>(
        `SELECT q.webhook_id, q.event_seq, q.attempts, q.queued_at, e.id, e.type, e.body
         FROM wh_queue q JOIN wh_events e ON e.seq = q.event_seq
         WHERE q.event_seq = (SELECT MIN(event_seq) FROM wh_queue h WHERE h.webhook_id = q.webhook_id) AND q.next_attempt_at <= ?`,
        now,
      )
      .toArray();
  }

  async #attempt(head: Head, target: DeliveryTarget): Promise<void> {
    const attempt = head.attempts + 1;
    const started = Date.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      // stored before the policy, or the operator's allow-list changed since: never delivered
      tenantTarget(this.env, target.url, "url");
      const res = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Parley-Webhooks/1",
          [WEBHOOK_SIGNATURE_HEADER]: await signWebhookBody(target.secret, head.body, Math.floor(started / 1000)),
          "Parley-Event-Id": head.id,
          "Parley-Event-Type": head.type,
          "Parley-Webhook-Id": target.id,
          "Parley-Delivery-Attempt": String(attempt),
        },
        body: head.body,
        // a redirect is not a delivery: following it would send the signed body somewhere unconfigured
        redirect: "manual",
        signal: AbortSignal.timeout(WEBHOOK_LIMITS.attemptTimeoutMs),
      });
      httpStatus = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status > 299) error = `receiver answered HTTP ${res.status}`;
    } catch (err) {
      const name = (err as { name?: string }).name;
      error =
        err instanceof ParleyError
          ? err.message
          : name === "TimeoutError"
            ? `no answer within ${WEBHOOK_LIMITS.attemptTimeoutMs} ms`
            : `request failed: ${String(err)}`.slice(0, 500);
    }
    const at = Date.now();
    let record: AttemptRecord = {
      webhookId: target.id,
      eventId: head.id,
      eventType: head.type,
      attempt,
      status: "delivered",
      httpStatus,
      durationMs: at - started,
      error,
      at,
      nextAttemptAt: null,
    };
    if (error === null || at - head.queued_at >= WEBHOOK_LIMITS.retryWindowMs) {
      this.#sql.exec("DELETE FROM wh_queue WHERE webhook_id = ? AND event_seq = ?", target.id, head.event_seq);
      if (error !== null) record = { ...record, status: "failed" };
    } else {
      const nextAttemptAt = at + retryDelayMs(attempt);
      this.#sql.exec(
        "UPDATE wh_queue SET attempts = ?, next_attempt_at = ? WHERE webhook_id = ? AND event_seq = ?",
        attempt,
        nextAttemptAt,
        target.id,
        head.event_seq,
      );
      record = { ...record, status: "retrying", nextAttemptAt };
    }
    this.#sql.exec("INSERT INTO wh_log_outbox (record) VALUES (?)", JSON.stringify(record));
  }

  /** Writes logged attempts to D1 in order; throws (and the alarm retries) when D1 refuses. */
  async #flushLog(): Promise<void> {
    const appKey = this.#getMeta("appKey");
    if (!appKey) return;
    const store = new WebhookStore(this.env);
    for (;;) {
      const rows = this.#sql.exec<{ seq: number; record: string }>("SELECT seq, record FROM wh_log_outbox ORDER BY seq LIMIT 50").toArray();
      if (rows.length === 0) return;
      await this.env.DB.batch(rows.map((r) => store.attemptStatement(appKey, JSON.parse(r.record) as AttemptRecord)));
      this.#sql.exec("DELETE FROM wh_log_outbox WHERE seq <= ?", rows.at(-1)?.seq ?? 0);
    }
  }

  /** The alarm goes off at the earliest due head (or `atLatest`, when storage needs a retry). */
  async #schedule(atLatest: number | null): Promise<void> {
    const row = this.#sql
      .exec<{ next: number | null }>(
        `SELECT MIN(next_attempt_at) AS next FROM wh_queue q
         WHERE q.event_seq = (SELECT MIN(event_seq) FROM wh_queue h WHERE h.webhook_id = q.webhook_id)`,
      )
      .one();
    const fresh = this.#sql.exec("SELECT 1 FROM wh_events WHERE fanned_out = 0 LIMIT 1").toArray().length > 0;
    const candidates = [row.next, fresh ? Date.now() : null, atLatest].filter((t): t is number => t !== null);
    if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...candidates));
  }

  #licenceEventDue(code: string, now: number): boolean {
    const key = `licence:${code}`;
    if (now < Number(this.#getMeta(key) ?? 0)) return false;
    this.#setMeta(key, String(now + LICENCE_EVENT_INTERVAL_MS));
    return true;
  }

  #getMeta(key: string): string | null {
    return this.#sql.exec<{ value: string }>("SELECT value FROM wh_meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO wh_meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** 1 s, 2 s, 4 s … capped at WEBHOOK_LIMITS.maxRetryDelayMs, ±20 % jitter so receivers are not hit in step. */
export function retryDelayMs(attempt: number): number {
  const base = Math.min(WEBHOOK_LIMITS.firstRetryMs * 2 ** (attempt - 1), WEBHOOK_LIMITS.maxRetryDelayMs);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function webhookStub(env: Env, appKey: string): DurableObjectStub<WebhookDO> {
  return env.WEBHOOKS.get(env.WEBHOOKS.idFromName(appKey));
}
