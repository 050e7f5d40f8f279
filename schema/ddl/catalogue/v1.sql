-- catalogue v1: public fields of every live submission; `listed` is true for approved ones
-- (the public catalogue shows only those, via the partial index).
CREATE TABLE IF NOT EXISTS catalogue_v1 (
    id uuid NOT NULL,
    listed boolean NOT NULL,
    service_name text NOT NULL DEFAULT '',
    service_center_id uuid,
    primary_maturity_tag text,
    updated_at timestamptz NOT NULL,
    entry jsonb NOT NULL,
    CONSTRAINT catalogue_v1_pkey PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS catalogue_v1_listed_name_idx
    ON catalogue_v1 (service_name, id) WHERE listed;
