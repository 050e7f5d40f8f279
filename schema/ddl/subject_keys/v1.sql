-- registry_subject_keys: the per-submission keys that encrypt personal values inside stored
-- events. Not a projection. Erasure sets `key` to NULL (crypto-shredding); the row stays as the
-- tombstone that keeps the subject erased.
CREATE TABLE IF NOT EXISTS registry_subject_keys (
    subject uuid NOT NULL,
    key bytea,
    CONSTRAINT registry_subject_keys_pkey PRIMARY KEY (subject)
);
