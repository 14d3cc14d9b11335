-- Joins the licence refused: with call_members (the joins that succeeded) they give the join
-- success rate in /v1/stats.
CREATE TABLE join_refusals (
  app_key TEXT NOT NULL,
  room TEXT NOT NULL,
  user TEXT NOT NULL,
  code TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX join_refusals_app_at ON join_refusals (app_key, at);
