-- idempotency_keys: the first response to each `Idempotency-Key` of a create
-- (projections/idempotency.py): the SHA-256 of the header, never the header; the response sealed
-- with a key derived from the header. Rows expire after REGISTRY_IDEMPOTENCY_TTL and are swept by
-- the scheduler.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key_hash text PRIMARY KEY,
    request_hash text NOT NULL,
    response bytea,
    created_at timestamptz NOT NULL DEFAULT now()
);
