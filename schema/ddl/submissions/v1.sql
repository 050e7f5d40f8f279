-- submissions v1: one row per live submission; `doc` is the served document (raw reference ids),
-- the other columns exist for the list filters and orderings (spec §3.2).
CREATE TABLE IF NOT EXISTS submissions_v1 (
    id uuid NOT NULL,
    status text NOT NULL,
    service_center_id uuid,
    year_established integer,
    register_as_elixir boolean NOT NULL DEFAULT false,
    primary_maturity_tag text,
    secondary_maturity_tags jsonb NOT NULL DEFAULT '[]'::jsonb,
    submitted_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    service_name text NOT NULL DEFAULT '',
    version integer NOT NULL,
    doc jsonb NOT NULL,
    CONSTRAINT submissions_v1_pkey PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS submissions_v1_status_idx ON submissions_v1 (status);
CREATE INDEX IF NOT EXISTS submissions_v1_centre_idx ON submissions_v1 (service_center_id);
CREATE INDEX IF NOT EXISTS submissions_v1_year_idx ON submissions_v1 (year_established);
CREATE INDEX IF NOT EXISTS submissions_v1_elixir_idx ON submissions_v1 (register_as_elixir);
CREATE INDEX IF NOT EXISTS submissions_v1_primary_tag_idx ON submissions_v1 (primary_maturity_tag);
CREATE INDEX IF NOT EXISTS submissions_v1_secondary_tags_idx
    ON submissions_v1 USING gin (secondary_maturity_tags jsonb_path_ops);
CREATE INDEX IF NOT EXISTS submissions_v1_submitted_idx ON submissions_v1 (submitted_at DESC, id);
CREATE INDEX IF NOT EXISTS submissions_v1_status_submitted_idx
    ON submissions_v1 (status, submitted_at DESC);
CREATE INDEX IF NOT EXISTS submissions_v1_updated_idx ON submissions_v1 (updated_at, id);
CREATE INDEX IF NOT EXISTS submissions_v1_name_idx ON submissions_v1 (service_name, id);
