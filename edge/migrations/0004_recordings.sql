-- The recordings index: written by the Room DOs (through their outboxes) from node reports.
CREATE TABLE recordings (
  id TEXT PRIMARY KEY,
  app_key TEXT NOT NULL,
  room TEXT NOT NULL,
  call_id TEXT,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,          -- recording | uploading | available | failed
  node TEXT NOT NULL,
  storage_kind TEXT NOT NULL,    -- nas | s3
  started_at INTEGER NOT NULL,   -- unix ms
  ended_at INTEGER,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  members TEXT NOT NULL DEFAULT '[]',  -- JSON user ids
  files TEXT NOT NULL DEFAULT '[]',    -- JSON file entries (with storage locations)
  error TEXT,                    -- JSON {code, message}
  updated_at INTEGER NOT NULL
);
CREATE INDEX recordings_app_started ON recordings (app_key, started_at);
CREATE INDEX recordings_app_room ON recordings (app_key, room, started_at);
