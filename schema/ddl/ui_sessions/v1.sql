-- ui_sessions: the web pages' server-side sessions (spec/ui.md §3.1) and the installation's
-- CSRF key. Operational state like the idempotency store, not event-sourced and filled by no
-- projection. `id_hash` is the SHA-256 of the cookie's token (the token is never stored).
CREATE TABLE IF NOT EXISTS ui_sessions (
    id_hash text NOT NULL,
    kind text NOT NULL CONSTRAINT ui_sessions_kind_check CHECK (kind IN ('admin', 'owner', 'flow')),
    subject text NOT NULL DEFAULT '',
    csrf_secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    idle_expires_at timestamptz NOT NULL,
    absolute_expires_at timestamptz,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT ui_sessions_pkey PRIMARY KEY (id_hash)
);
CREATE INDEX IF NOT EXISTS ui_sessions_subject_idx ON ui_sessions (kind, subject);
CREATE INDEX IF NOT EXISTS ui_sessions_idle_idx ON ui_sessions (idle_expires_at);
CREATE TABLE IF NOT EXISTS ui_secrets (
    name text NOT NULL,
    secret bytea NOT NULL,
    CONSTRAINT ui_secrets_pkey PRIMARY KEY (name)
);
