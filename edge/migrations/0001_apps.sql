-- Apps, their sealed secrets (two slots for rotation) and licences.
CREATE TABLE apps (
  app_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  secret1 TEXT,            -- AES-GCM sealed with MASTER_KEY; NULL when the slot is empty
  secret2 TEXT,
  licence_expires_at TEXT, -- ISO-8601; NULL: no expiry
  max_rooms INTEGER,       -- NULL: unlimited
  max_users INTEGER,
  auth_centre_url TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Every administrative action: who, what, when, from where.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  ip TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
