-- Per-app recording settings, one row per version (every PUT adds one; the highest is current).
-- The S3 secret is sealed with the app secret box (AES-256-GCM under MASTER_KEY, bound to app + version).
CREATE TABLE recording_settings (
  app_key TEXT NOT NULL,
  version INTEGER NOT NULL,
  settings TEXT NOT NULL,        -- JSON: storage (without its secret), composite, segmentSeconds, autoRecord
  s3_secret TEXT,                -- sealed secretAccessKey, S3 storage only
  created_at INTEGER NOT NULL,   -- unix ms
  PRIMARY KEY (app_key, version)
);

-- Which settings version (and so which storage) a recording was written with; NULL: the node's own storage.
ALTER TABLE recordings ADD COLUMN settings_version INTEGER;
