import {
  type CreateWebhookRequest,
  type DeliveryLogEntry,
  type DeliveryPage,
  type DeliverySearch,
  type DeliveryStatus,
  ParleyError,
  randomId,
  type UpdateWebhookRequest,
  WEBHOOK_LIMITS,
  type WebhookEventType,
  type WebhookInfo,
  type WebhookWithSecret,
} from "@parley/shared";
import { SecretBox } from "../apps/secret-box.js";
import { config } from "../config/index.js";
import type { Env } from "../env.js";

interface WebhookRow {
  id: string;
  app_key: string;
  url: string;
  events: string;
  enabled: number;
  description: string | null;
  secret: string;
  created_at: string;
  updated_at: string;
}

/** A webhook as the Webhook DO delivers to it: secret opened. Never leaves the edge. */
export interface DeliveryTarget {
  id: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  secret: string;
}

/** One attempt as the Webhook DO records it (written to `webhook_deliveries`). */
export interface AttemptRecord {
  webhookId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: DeliveryStatus;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  at: number;
  nextAttemptAt: number | null;
}

/** Webhooks and their delivery log in D1. Every read and write is scoped to one app. */
export class WebhookStore {
  #db: D1Database;
  #box: SecretBox;

  constructor(env: Env) {
    this.#db = env.DB;
    this.#box = new SecretBox(config(env).masterKey);
  }

  async create(appKey: string, input: CreateWebhookRequest): Promise<WebhookWithSecret> {
    const id = `wh_${randomId(20)}`;
    const secret = newSecret();
    const now = new Date().toISOString();
    // the count and the insert are one statement: concurrent creates cannot all pass a count read first
    const inserted = await this.#db
      .prepare(
        `INSERT INTO webhooks (id, app_key, url, events, enabled, description, secret, created_at, updated_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
         WHERE (SELECT COUNT(*) FROM webhooks WHERE app_key = ?) < ?`,
      )
      .bind(
        id,
        appKey,
        input.url,
        JSON.stringify(input.events),
        input.enabled ? 1 : 0,
        input.description,
        await this.#box.seal(secret, sealContext(appKey, id)),
        now,
        now,
        appKey,
        WEBHOOK_LIMITS.maxPerApp,
      )
      .run();
    if (inserted.meta.changes === 0) {
      throw new ParleyError("WEBHOOKS_FULL", `an app may have at most ${WEBHOOK_LIMITS.maxPerApp} webhooks; delete one first`);
    }
    return { ...(await this.info(appKey, id)), secret };
  }

  async list(appKey: string): Promise<WebhookInfo[]> {
    const { results } = await this.#db
      .prepare("SELECT * FROM webhooks WHERE app_key = ? ORDER BY created_at, id")
      .bind(appKey)
      .all<WebhookRow>();
    return results.map(toInfo);
  }

  async info(appKey: string, id: string): Promise<WebhookInfo> {
    return toInfo(await this.#row(appKey, id));
  }

  async update(appKey: string, id: string, patch: UpdateWebhookRequest): Promise<WebhookInfo> {
    await this.#row(appKey, id);
    const changes: [string, unknown][] = [];
    if (patch.url !== undefined) changes.push(["url = ?", patch.url]);
    if (patch.events !== undefined) changes.push(["events = ?", JSON.stringify(patch.events)]);
    if (patch.enabled !== undefined) changes.push(["enabled = ?", patch.enabled ? 1 : 0]);
    if (patch.description !== undefined) changes.push(["description = ?", patch.description]);
    if (changes.length) await this.#write(appKey, id, changes);
    return this.info(appKey, id);
  }

  /** A new signing secret replaces the old one at once: later attempts are signed with it. */
  async rotateSecret(appKey: string, id: string): Promise<WebhookWithSecret> {
    await this.#row(appKey, id);
    const secret = newSecret();
    await this.#write(appKey, id, [["secret = ?", await this.#box.seal(secret, sealContext(appKey, id))]]);
    return { ...(await this.info(appKey, id)), secret };
  }

  async delete(appKey: string, id: string): Promise<void> {
    await this.#row(appKey, id);
    await this.#db.prepare("DELETE FROM webhooks WHERE app_key = ? AND id = ?").bind(appKey, id).run();
  }

  /** What the Webhook DO needs to deliver: every webhook of the app with its secret opened. */
  async targets(appKey: string): Promise<DeliveryTarget[]> {
    const { results } = await this.#db.prepare("SELECT * FROM webhooks WHERE app_key = ?").bind(appKey).all<WebhookRow>();
    return Promise.all(
      results.map(async (row) => ({
        id: row.id,
        url: row.url,
        events: JSON.parse(row.events) as WebhookEventType[],
        enabled: row.enabled === 1,
        secret: await this.#box.open(row.secret, sealContext(appKey, row.id)),
      })),
    );
  }

  /** D1 statements recording attempts; the Webhook DO batches them from its outbox. */
  attemptStatement(appKey: string, a: AttemptRecord): D1PreparedStatement {
    return this.#db
      .prepare(
        `INSERT INTO webhook_deliveries (app_key, webhook_id, event_id, event_type, attempt, status, http_status, duration_ms, error, at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(appKey, a.webhookId, a.eventId, a.eventType, a.attempt, a.status, a.httpStatus, a.durationMs, a.error, a.at, a.nextAttemptAt);
  }

  /** The delivery log, newest first; `nextCursor` continues after the page's last entry. */
  async deliveries(appKey: string, q: DeliverySearch): Promise<DeliveryPage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      params.push(value);
    };
    add("app_key = ?", appKey);
    if (q.webhookId) add("webhook_id = ?", q.webhookId);
    if (q.eventId) add("event_id = ?", q.eventId);
    if (q.status) add("status = ?", q.status);
    if (q.cursor) add("id < ?", Number(q.cursor));
    const { results } = await this.#db
      .prepare(`SELECT * FROM webhook_deliveries WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT ?`)
      .bind(...params, q.limit + 1)
      .all<Record<string, unknown>>();
    const page = results.slice(0, q.limit).map(toLogEntry);
    const last = page.at(-1);
    return { deliveries: page, nextCursor: results.length > q.limit && last ? String(last.id) : null };
  }

  async #row(appKey: string, id: string): Promise<WebhookRow> {
    // scoped by app: another app's webhook id reads as unknown, never as forbidden
    const row = await this.#db.prepare("SELECT * FROM webhooks WHERE app_key = ? AND id = ?").bind(appKey, id).first<WebhookRow>();
    if (!row) throw new ParleyError("NOT_FOUND", `no webhook ${id} for this app`);
    return row;
  }

  async #write(appKey: string, id: string, changes: [string, unknown][]): Promise<void> {
    await this.#db
      .prepare(`UPDATE webhooks SET ${changes.map(([set]) => set).join(", ")}, updated_at = ? WHERE app_key = ? AND id = ?`)
      .bind(...changes.map(([, value]) => value), new Date().toISOString(), appKey, id)
      .run();
  }
}

function sealContext(appKey: string, webhookId: string): string {
  return `parley-webhook-secret:${appKey}:${webhookId}`;
}

function newSecret(): string {
  return `whsec_${randomId(40)}`;
}

function toInfo(row: WebhookRow): WebhookInfo {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    enabled: row.enabled === 1,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toLogEntry(r: Record<string, unknown>): DeliveryLogEntry {
  return {
    id: Number(r.id),
    webhookId: String(r.webhook_id),
    eventId: String(r.event_id),
    eventType: String(r.event_type) as WebhookEventType,
    attempt: Number(r.attempt),
    status: String(r.status) as DeliveryStatus,
    httpStatus: r.http_status === null ? null : Number(r.http_status),
    durationMs: Number(r.duration_ms),
    error: (r.error as string | null) ?? null,
    at: new Date(Number(r.at)).toISOString(),
    nextAttemptAt: r.next_attempt_at === null ? null : new Date(Number(r.next_attempt_at)).toISOString(),
  };
}
