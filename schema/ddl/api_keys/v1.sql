-- api_keys v1: one row per key owner (a submission, or an admin key whose owner_id is its own id
-- and submission_id NULL). `keys` holds the keys; `key_hashes` their SHA-256 hex for lookups.
CREATE TABLE IF NOT EXISTS api_keys_v1 (
    owner_id uuid NOT NULL,
    submission_id uuid,
    key_hashes jsonb NOT NULL DEFAULT '[]'::jsonb,
    keys jsonb NOT NULL DEFAULT '[]'::jsonb,
    CONSTRAINT api_keys_v1_pkey PRIMARY KEY (owner_id)
);
CREATE INDEX IF NOT EXISTS api_keys_v1_hashes_idx ON api_keys_v1 USING gin (key_hashes jsonb_path_ops);
