-- service_centres v1: de.NBI service centres (the aggregate id is the API's id).
CREATE TABLE IF NOT EXISTS service_centres_v1 (
    aggregate_id uuid NOT NULL,
    short_name text NOT NULL DEFAULT '',
    full_name text NOT NULL DEFAULT '',
    website text NOT NULL DEFAULT '',
    ror_id text NOT NULL DEFAULT '',
    is_active boolean NOT NULL DEFAULT true,
    CONSTRAINT service_centres_v1_pkey PRIMARY KEY (aggregate_id)
);
CREATE INDEX IF NOT EXISTS service_centres_v1_full_name_idx ON service_centres_v1 (full_name);
CREATE INDEX IF NOT EXISTS service_centres_v1_short_name_idx
    ON service_centres_v1 (lower(short_name));
