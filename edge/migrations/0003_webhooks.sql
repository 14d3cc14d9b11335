-- Webhooks (issue 5): per app, URLs that receive signed events, and every delivery attempt.
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  app_key TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,        -- JSON array of event types this URL gets
  enabled INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  secret TEXT NOT NULL,        -- signing secret, AES-GCM sealed with MASTER_KEY (bound to app + webhook id)
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_app ON webhooks (app_key, created_at);

-- One row per delivery attempt, written by the app's Webhook DO through its outbox.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app_key TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,        -- delivered | retrying | failed
  http_status INTEGER,         -- NULL: no answer (timeout, refused)
  duration_ms INTEGER NOT NULL,
  error TEXT,
  at INTEGER NOT NULL,         -- unix ms
  next_attempt_at INTEGER      -- unix ms, when status = retrying
);
CREATE INDEX webhook_deliveries_app ON webhook_deliveries (app_key, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (app_key, event_id, id);
