-- submissions v2: as v1, with documents in today's shape (kpi_since, data_access_type,
-- related_service_ids; the replay computes their defaults for older submissions); `doc` is the
-- served document (raw reference ids), the other columns exist for the list filters and
-- orderings (spec §3.2).
CREATE TABLE IF NOT EXISTS submissions_v2 (
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
    CONSTRAINT submissions_v2_pkey PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS submissions_v2_status_idx ON submissions_v2 (status);
CREATE INDEX IF NOT EXISTS submissions_v2_centre_idx ON submissions_v2 (service_center_id);
CREATE INDEX IF NOT EXISTS submissions_v2_year_idx ON submissions_v2 (year_established);
CREATE INDEX IF NOT EXISTS submissions_v2_elixir_idx ON submissions_v2 (register_as_elixir);
CREATE INDEX IF NOT EXISTS submissions_v2_primary_tag_idx ON submissions_v2 (primary_maturity_tag);
CREATE INDEX IF NOT EXISTS submissions_v2_secondary_tags_idx
    ON submissions_v2 USING gin (secondary_maturity_tags jsonb_path_ops);
CREATE INDEX IF NOT EXISTS submissions_v2_submitted_idx ON submissions_v2 (submitted_at DESC, id);
CREATE INDEX IF NOT EXISTS submissions_v2_status_submitted_idx
    ON submissions_v2 (status, submitted_at DESC);
CREATE INDEX IF NOT EXISTS submissions_v2_updated_idx ON submissions_v2 (updated_at, id);
CREATE INDEX IF NOT EXISTS submissions_v2_name_idx ON submissions_v2 (service_name, id);
-- The list filter ?data_access_type= (documents always carry it from v2 on; the coalesce keeps
-- the same filter expression correct on v1 documents after a rollback).
CREATE INDEX IF NOT EXISTS submissions_v2_access_idx
    ON submissions_v2 ((coalesce(doc->>'data_access_type', 'open')));
