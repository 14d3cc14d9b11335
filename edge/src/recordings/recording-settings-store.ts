import {
  ParleyError,
  type RecordingSettings,
  RecordingSettingsRequest,
  type RecordingSettingsView,
  type S3StorageConfig,
  type StorageConfig,
} from "@parley/shared";
import { boxFor, type SecretBox } from "../apps/secret-box.js";
import { config } from "../config/index.js";
import type { Env } from "../env.js";

/** One version of an app's settings, secret opened: only ever held in memory. */
export interface StoredRecordingSettings {
  /** 0: the app never stored settings (nodes use their own storage and defaults). */
  version: number;
  settings: RecordingSettings;
  /** The S3 secret, opened; null for NAS or version 0. */
  s3Secret: string | null;
  createdAt: number | null;
}

interface SettingsRow {
  version: number;
  settings: string;
  s3_secret: string | null;
  created_at: number;
}

/**
 * Settings are read on every recording start, so the current version is cached per isolate for a
 * few seconds; a PUT through this isolate drops the entry at once, others see it within CACHE_MS.
 */
const CACHE_MS = 5000;
const cache = new Map<string, { value: StoredRecordingSettings; at: number }>();

const NONE: StoredRecordingSettings = { version: 0, settings: RecordingSettingsRequest.parse({}), s3Secret: null, createdAt: null };

/** Versioned per-app recording settings in D1, the S3 secret sealed to the app and version. */
export class RecordingSettingsStore {
  #db: D1Database;
  #env: Env;

  /** Cheap: a Room DO makes one in its constructor, before any configuration is read. */
  constructor(env: Env) {
    this.#db = env.DB;
    this.#env = env;
  }

  get #box(): SecretBox {
    return boxFor(config(this.#env).masterKey);
  }

  async current(appKey: string): Promise<StoredRecordingSettings> {
    const hit = cache.get(appKey);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const row = await this.#db
      .prepare("SELECT * FROM recording_settings WHERE app_key = ? ORDER BY version DESC LIMIT 1")
      .bind(appKey)
      .first<SettingsRow>();
    const value = row ? await this.#open(appKey, row) : NONE;
    cache.set(appKey, { value, at: Date.now() });
    return value;
  }

  /** A recording's settings, whatever has been stored since. */
  async version(appKey: string, version: number): Promise<StoredRecordingSettings> {
    const row = await this.#db
      .prepare("SELECT * FROM recording_settings WHERE app_key = ? AND version = ?")
      .bind(appKey, version)
      .first<SettingsRow>();
    if (!row)
      throw new ParleyError("STORAGE_UNAVAILABLE", `the recording settings (version ${version}) this recording was written with are gone`);
    return this.#open(appKey, row);
  }

  /** Stores `next` as a new version; an S3 secret left out is carried over while the access key id is unchanged. */
  async put(appKey: string, next: RecordingSettings): Promise<StoredRecordingSettings> {
    const previous = await this.#uncached(appKey);
    const secret = next.storage.kind === "s3" ? (next.storage.secretAccessKey ?? carriedSecret(previous, next.storage.accessKeyId)) : null;
    const { secretAccessKey: _secret, ...storage } = next.storage.kind === "s3" ? next.storage : { ...next.storage, secretAccessKey: null };
    const settingsJson = JSON.stringify({ ...next, storage });
    // The version is chosen in the INSERT itself, so two concurrent PUTs cannot take the same one
    // (the primary key refuses the loser, which then retries).
    for (let attempt = 0; ; attempt++) {
      const version = (previous?.version ?? 0) + 1 + attempt;
      const sealed = secret === null ? null : await this.#box.seal(secret, sealContext(appKey, version));
      try {
        await this.#db
          .prepare("INSERT INTO recording_settings (app_key, version, settings, s3_secret, created_at) VALUES (?, ?, ?, ?, ?)")
          .bind(appKey, version, settingsJson, sealed, Date.now())
          .run();
        cache.delete(appKey);
        return await this.version(appKey, version);
      } catch (error) {
        if (attempt >= 3 || !String(error).includes("UNIQUE")) throw error;
      }
    }
  }

  async #uncached(appKey: string): Promise<StoredRecordingSettings | null> {
    cache.delete(appKey);
    const current = await this.current(appKey);
    return current.version === 0 ? null : current;
  }

  async #open(appKey: string, row: SettingsRow): Promise<StoredRecordingSettings> {
    const settings = RecordingSettingsRequest.parse(JSON.parse(row.settings));
    const s3Secret = row.s3_secret === null ? null : await this.#box.open(row.s3_secret, sealContext(appKey, row.version));
    return { version: row.version, settings, s3Secret, createdAt: row.created_at };
  }
}

function carriedSecret(previous: StoredRecordingSettings | null, accessKeyId: string): string {
  const before = previous?.settings.storage;
  if (before?.kind === "s3" && before.accessKeyId === accessKeyId && previous?.s3Secret) return previous.s3Secret;
  throw new ParleyError(
    "INVALID_REQUEST",
    "storage.secretAccessKey: required for new S3 credentials (it may be left out only to keep the stored secret of the same accessKeyId)",
  );
}

function sealContext(appKey: string, version: number): string {
  return `parley-recording-s3:${appKey}:${version}`;
}

/** What a start request sends the node: undefined keeps the node's own storage (no settings stored). */
export function nodeStorage(stored: StoredRecordingSettings): StorageConfig | undefined {
  if (stored.version === 0) return undefined;
  const storage = stored.settings.storage;
  if (storage.kind === "nas") return storage.folder === undefined ? { kind: "nas" } : { kind: "nas", folder: storage.folder };
  return s3Config(stored) ?? undefined;
}

/** The app's S3 storage with its secret, or null when the settings are not S3. */
export function s3Config(stored: StoredRecordingSettings): S3StorageConfig | null {
  const storage = stored.settings.storage;
  if (storage.kind !== "s3" || stored.s3Secret === null) return null;
  return { ...storage, secretAccessKey: stored.s3Secret };
}

/** The answer to GET/PUT: never the secret, only whether one is stored. */
export function settingsView(stored: StoredRecordingSettings): RecordingSettingsView {
  const { storage, composite, segmentSeconds, autoRecord } = stored.settings;
  return {
    version: stored.version,
    storage:
      storage.kind === "nas"
        ? { kind: "nas", folder: storage.folder ?? null }
        : {
            kind: "s3",
            endpoint: storage.endpoint ?? null,
            region: storage.region,
            bucket: storage.bucket,
            prefix: storage.prefix,
            accessKeyId: storage.accessKeyId,
            forcePathStyle: storage.forcePathStyle,
            secretAccessKeySet: stored.s3Secret !== null,
          },
    composite,
    segmentSeconds,
    autoRecord,
    updatedAt: stored.createdAt === null ? null : new Date(stored.createdAt).toISOString(),
  };
}
