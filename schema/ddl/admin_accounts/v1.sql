-- admin_accounts: the secrets and operational state of the admin console (spec/ui.md §3.4,
-- §5.7.2). The accounts' lifecycle (created, role changed, disabled, password reset) is the
-- AdminAccount aggregate in the event store; what must never enter an event lives here:
-- the argon2id password hash, the TOTP seed, the hash of the one-time setup token.
CREATE TABLE IF NOT EXISTS admin_credentials (
    account_id uuid NOT NULL,
    username text NOT NULL,
    password_hash text,
    totp_secret text,
    totp_last_step bigint NOT NULL DEFAULT 0,
    setup_token_hash text,
    setup_expires_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT admin_credentials_pkey PRIMARY KEY (account_id),
    CONSTRAINT admin_credentials_username_key UNIQUE (username)
);
CREATE UNIQUE INDEX IF NOT EXISTS admin_credentials_setup_idx
    ON admin_credentials (setup_token_hash) WHERE setup_token_hash IS NOT NULL;
-- Failed sign-ins per (client address, username or key prefix): 5 within 15 minutes answer 429.
CREATE TABLE IF NOT EXISTS admin_signin_failures (
    ip text NOT NULL,
    subject text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS admin_signin_failures_idx
    ON admin_signin_failures (ip, subject, failed_at);
-- Each admin's position on the change feed ("New since your last visit"; key or account).
CREATE TABLE IF NOT EXISTS admin_cursors (
    subject text NOT NULL,
    position bigint NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT admin_cursors_pkey PRIMARY KEY (subject)
);
