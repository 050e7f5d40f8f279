-- rate_limit_windows: the rate limits' fixed windows when REGISTRY_RATE_LIMIT_STORAGE=database
-- (web.ratelimit, projections.ratelimits): one row per (class, identity, limit), its hits and
-- when its window ends. Operational state like the idempotency store; rows whose window ended
-- are swept as the table is used, and may be deleted at any time.
CREATE TABLE IF NOT EXISTS rate_limit_windows (
    key text NOT NULL,
    hits integer NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT rate_limit_windows_pkey PRIMARY KEY (key)
);
CREATE INDEX IF NOT EXISTS rate_limit_windows_expires_idx ON rate_limit_windows (expires_at);
