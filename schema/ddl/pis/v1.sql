-- pis v1: principal investigators (the aggregate id is the API's id; `email` is internal).
CREATE TABLE IF NOT EXISTS pis_v1 (
    aggregate_id uuid NOT NULL,
    last_name text NOT NULL DEFAULT '',
    first_name text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    institute text NOT NULL DEFAULT '',
    orcid text NOT NULL DEFAULT '',
    is_associated_partner boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    CONSTRAINT pis_v1_pkey PRIMARY KEY (aggregate_id)
);
CREATE INDEX IF NOT EXISTS pis_v1_name_idx ON pis_v1 (last_name, first_name);
