-- key_usage: when each API key was last used. Not a projection (nothing in the event log says
-- it): a small mutable table the web updates at most once a minute per key.
CREATE TABLE IF NOT EXISTS key_usage (
    key_id text NOT NULL,
    last_used_at timestamptz NOT NULL,
    CONSTRAINT key_usage_pkey PRIMARY KEY (key_id)
);
