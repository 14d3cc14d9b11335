-- Call records: every room session is a call; its endpoints (members) and quality timeline.
CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  app_key TEXT NOT NULL,
  room TEXT NOT NULL,
  started_at INTEGER NOT NULL,  -- unix ms
  ended_at INTEGER
);
CREATE INDEX calls_app_started ON calls (app_key, started_at);
CREATE INDEX calls_app_room ON calls (app_key, room, started_at);

CREATE TABLE call_members (
  call_id TEXT NOT NULL,
  member TEXT NOT NULL,
  user TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  leave_reason TEXT,
  client TEXT,                  -- JSON ClientInfo
  PRIMARY KEY (call_id, member)
);
CREATE INDEX call_members_user ON call_members (user, joined_at);

CREATE TABLE call_quality (
  call_id TEXT NOT NULL,
  member TEXT NOT NULL,
  at INTEGER NOT NULL,
  source TEXT NOT NULL,         -- sdk | node
  mos REAL,
  tracks TEXT NOT NULL          -- JSON TrackQualitySample[]
);
CREATE INDEX call_quality_call ON call_quality (call_id, at);
