-- idempotency_keys v2: each row names the submission its first response created, so erasing that
-- submission drops the response (names, e-mails, the initial key) in the erasure's transaction
-- (projections/erasure.py) and leaves a tombstone on which a repeat of the key is answered 410.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS submission_id uuid;
CREATE INDEX IF NOT EXISTS idempotency_keys_submission_idx ON idempotency_keys (submission_id);
