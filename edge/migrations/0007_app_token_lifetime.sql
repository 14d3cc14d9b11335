-- Per-app maximum access-token lifetime in seconds (exp - iat); NULL: LIMITS.maxTokenTtlSeconds.
ALTER TABLE apps ADD COLUMN max_token_ttl_seconds INTEGER;
