-- registry_subject_keys: the per-submission keys that encrypt personal values inside stored
-- events. Not a projection: destroying a row is the erasure (crypto-shredding).
CREATE TABLE IF NOT EXISTS registry_subject_keys (
    subject uuid NOT NULL,
    key bytea NOT NULL,
    CONSTRAINT registry_subject_keys_pkey PRIMARY KEY (subject)
);
