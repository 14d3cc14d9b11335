import {
  type AppInfo,
  type CreateAppRequest,
  type CreatedApp,
  type CreatedSecret,
  LIMITS,
  type Licence,
  ParleyError,
  randomId,
  type SecretSlot,
  type UpdateAppRequest,
} from "@parley/shared";
import { config } from "../config/index.js";
import type { Env } from "../env.js";
import { boxFor, type SecretBox } from "./secret-box.js";

/** An app as the edge uses it: secrets opened, licence parsed. Never sent to clients as is. */
export interface AppRecord {
  appKey: string;
  name: string;
  disabled: boolean;
  secrets: Partial<Record<SecretSlot, string>>;
  licence: Licence;
  authCentreUrl: string | null;
  /** Longest lifetime of a token accepted for this app, in seconds. */
  maxTokenTtlSeconds: number;
  createdAt: string;
}

interface AppRow {
  app_key: string;
  name: string;
  disabled: number;
  secret1: string | null;
  secret2: string | null;
  licence_expires_at: string | null;
  max_rooms: number | null;
  max_users: number | null;
  auth_centre_url: string | null;
  max_token_ttl_seconds: number | null;
  created_at: string;
}

/**
 * Apps are read on every token check, so opened records are cached per isolate for a few
 * seconds (design §2: "secrets from D1 cached briefly"). Changes made through this isolate
 * drop the entry at once; other isolates see them within CACHE_MS.
 */
const CACHE_MS = 5000;
const cache = new Map<string, { record: AppRecord; at: number }>();
/** AppKeys D1 did not know, by when it said so; bounded, oldest first (Map order), since anyone can send one. */
const unknownApps = new Map<string, number>();

function rememberUnknown(appKey: string, at: number): void {
  unknownApps.delete(appKey);
  unknownApps.set(appKey, at);
  for (const oldest of unknownApps.keys()) {
    if (unknownApps.size <= LIMITS.unknownAppCacheEntries) break;
    unknownApps.delete(oldest);
  }
}

/** How many apps this isolate holds in its caches (tests check the unknown ones stay bounded). */
export function appCacheSizes(): { known: number; unknown: number } {
  return { known: cache.size, unknown: unknownApps.size };
}

const SLOTS: SecretSlot[] = [1, 2];

export class AppStore {
  #db: D1Database;
  #box: SecretBox;

  constructor(env: Env) {
    this.#db = env.DB;
    this.#box = boxFor(config(env).masterKey);
  }

  async get(appKey: string): Promise<AppRecord | null> {
    const now = Date.now();
    const hit = cache.get(appKey);
    if (hit && now - hit.at < CACHE_MS) return hit.record;
    const missedAt = unknownApps.get(appKey);
    if (missedAt !== undefined && now - missedAt < LIMITS.unknownAppCacheMs) return null;
    const row = await this.#db.prepare("SELECT * FROM apps WHERE app_key = ?").bind(appKey).first<AppRow>();
    if (!row) {
      cache.delete(appKey);
      rememberUnknown(appKey, Date.now());
      return null;
    }
    const record = await this.#open(row);
    unknownApps.delete(appKey);
    cache.set(appKey, { record, at: Date.now() });
    return record;
  }

  async require(appKey: string): Promise<AppRecord> {
    const app = await this.get(appKey);
    if (!app) throw new ParleyError("NOT_FOUND", `no app with AppKey ${appKey}`);
    return app;
  }

  async list(): Promise<AppInfo[]> {
    const { results } = await this.#db.prepare("SELECT * FROM apps ORDER BY created_at").all<AppRow>();
    return results.map(rowToInfo);
  }

  async create(input: CreateAppRequest): Promise<CreatedApp> {
    const appKey = `ak_${randomId(20)}`;
    const appSecret = newSecret();
    const now = new Date().toISOString();
    const licence = input.licence ?? { expiresAt: null, maxRooms: null, maxUsers: null };
    await this.#db
      .prepare(
        `INSERT INTO apps (app_key, name, secret1, licence_expires_at, max_rooms, max_users, auth_centre_url, max_token_ttl_seconds,
           created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        appKey,
        input.name,
        await this.#box.seal(appSecret, sealContext(appKey, 1)),
        licence.expiresAt,
        licence.maxRooms,
        licence.maxUsers,
        input.authCentreUrl ?? null,
        input.maxTokenTtlSeconds ?? null,
        now,
        now,
      )
      .run();
    return { ...(await this.info(appKey)), appSecret, slot: 1 };
  }

  async info(appKey: string): Promise<AppInfo> {
    const row = await this.#db.prepare("SELECT * FROM apps WHERE app_key = ?").bind(appKey).first<AppRow>();
    if (!row) throw new ParleyError("NOT_FOUND", `no app with AppKey ${appKey}`);
    return rowToInfo(row);
  }

  async update(appKey: string, patch: UpdateAppRequest): Promise<AppInfo> {
    await this.require(appKey);
    const changes: [string, unknown][] = [];
    if (patch.name !== undefined) changes.push(["name = ?", patch.name]);
    if (patch.disabled !== undefined) changes.push(["disabled = ?", patch.disabled ? 1 : 0]);
    if (patch.authCentreUrl !== undefined) changes.push(["auth_centre_url = ?", patch.authCentreUrl]);
    if (patch.maxTokenTtlSeconds !== undefined) changes.push(["max_token_ttl_seconds = ?", patch.maxTokenTtlSeconds]);
    const sets = changes.map(([set]) => set);
    const values = changes.map(([, value]) => value);
    if (sets.length) await this.#write(appKey, sets, values);
    return this.info(appKey);
  }

  async setLicence(appKey: string, licence: Licence): Promise<AppInfo> {
    await this.require(appKey);
    await this.#write(
      appKey,
      ["licence_expires_at = ?", "max_rooms = ?", "max_users = ?"],
      [licence.expiresAt, licence.maxRooms, licence.maxUsers],
    );
    return this.info(appKey);
  }

  /** Fills the free slot with a new secret: both stay valid until one is revoked. */
  async addSecret(appKey: string): Promise<CreatedSecret> {
    const app = await this.require(appKey);
    const slot = SLOTS.find((s) => app.secrets[s] === undefined);
    if (!slot) {
      throw new ParleyError("SECRET_SLOTS_FULL", "both secret slots are in use: revoke one (DELETE .../secrets/:slot) first");
    }
    const appSecret = newSecret();
    await this.#write(appKey, [`secret${slot} = ?`], [await this.#box.seal(appSecret, sealContext(appKey, slot))]);
    return { appKey, slot, appSecret };
  }

  async revokeSecret(appKey: string, slot: SecretSlot): Promise<AppInfo> {
    const app = await this.require(appKey);
    if (app.secrets[slot] === undefined) throw new ParleyError("NOT_FOUND", `secret slot ${slot} is already empty`);
    if (SLOTS.filter((s) => app.secrets[s] !== undefined).length === 1) {
      throw new ParleyError("LAST_SECRET", "this is the app's only secret: add a new one before revoking it");
    }
    await this.#write(appKey, [`secret${slot} = NULL`], []);
    return this.info(appKey);
  }

  async audit(entry: { actor: string; action: string; target?: string; ip?: string | null }): Promise<void> {
    await this.#db
      .prepare("INSERT INTO audit_log (at, actor, action, target, ip) VALUES (?, ?, ?, ?, ?)")
      .bind(new Date().toISOString(), entry.actor, entry.action, entry.target ?? null, entry.ip ?? null)
      .run();
  }

  async #write(appKey: string, sets: string[], values: unknown[]): Promise<void> {
    await this.#db
      .prepare(`UPDATE apps SET ${sets.join(", ")}, updated_at = ? WHERE app_key = ?`)
      .bind(...values, new Date().toISOString(), appKey)
      .run();
    cache.delete(appKey);
  }

  async #open(row: AppRow): Promise<AppRecord> {
    const secrets: Partial<Record<SecretSlot, string>> = {};
    for (const slot of SLOTS) {
      const sealed = slot === 1 ? row.secret1 : row.secret2;
      if (sealed) secrets[slot] = await this.#box.open(sealed, sealContext(row.app_key, slot));
    }
    return {
      appKey: row.app_key,
      name: row.name,
      disabled: row.disabled === 1,
      secrets,
      licence: rowLicence(row),
      authCentreUrl: row.auth_centre_url,
      maxTokenTtlSeconds: rowMaxTokenTtl(row),
      createdAt: row.created_at,
    };
  }
}

function sealContext(appKey: string, slot: SecretSlot): string {
  return `parley-app-secret:${appKey}:${slot}`;
}

function newSecret(): string {
  return `as_${randomId(40)}`;
}

function rowLicence(row: AppRow): Licence {
  return { expiresAt: row.licence_expires_at, maxRooms: row.max_rooms, maxUsers: row.max_users };
}

function rowMaxTokenTtl(row: AppRow): number {
  return row.max_token_ttl_seconds ?? LIMITS.maxTokenTtlSeconds;
}

function rowToInfo(row: AppRow): AppInfo {
  return {
    appKey: row.app_key,
    name: row.name,
    disabled: row.disabled === 1,
    licence: rowLicence(row),
    authCentreUrl: row.auth_centre_url,
    secretSlots: SLOTS.filter((s) => (s === 1 ? row.secret1 : row.secret2) !== null),
    maxTokenTtlSeconds: rowMaxTokenTtl(row),
    createdAt: row.created_at,
  };
}
