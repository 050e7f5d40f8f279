-- submissions v3: v2's rows; each list ordering (spec §3.2: submitted_at, updated_at,
-- service_name, primary_maturity_tag) has one covering index (column, id) INCLUDE the filter
-- columns, so a list page finds its ids by an index-only scan in either direction and reads
-- only its own rows: v2 read the whole row of every row an offset skipped to test a filter
-- its ordering index lacked.
CREATE TABLE submissions_v3 (
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
    CONSTRAINT submissions_v3_pkey PRIMARY KEY (id)
);
CREATE INDEX submissions_v3_status_idx ON submissions_v3 (status);
CREATE INDEX submissions_v3_centre_idx ON submissions_v3 (service_center_id);
CREATE INDEX submissions_v3_year_idx ON submissions_v3 (year_established);
CREATE INDEX submissions_v3_elixir_idx ON submissions_v3 (register_as_elixir);
CREATE INDEX submissions_v3_secondary_tags_idx
    ON submissions_v3 USING gin (secondary_maturity_tags jsonb_path_ops);
CREATE INDEX submissions_v3_submitted_idx ON submissions_v3 (submitted_at, id)
    INCLUDE (status, service_center_id, year_established, register_as_elixir,
             primary_maturity_tag, secondary_maturity_tags);
CREATE INDEX submissions_v3_updated_idx ON submissions_v3 (updated_at, id)
    INCLUDE (status, service_center_id, year_established, register_as_elixir,
             primary_maturity_tag, secondary_maturity_tags);
CREATE INDEX submissions_v3_name_idx ON submissions_v3 (service_name, id)
    INCLUDE (status, service_center_id, year_established, register_as_elixir,
             primary_maturity_tag, secondary_maturity_tags);
CREATE INDEX submissions_v3_primary_tag_idx ON submissions_v3 (primary_maturity_tag, id)
    INCLUDE (status, service_center_id, year_established, register_as_elixir,
             secondary_maturity_tags);
-- The list filter ?data_access_type= (a document expression: read from the row).
CREATE INDEX submissions_v3_access_idx
    ON submissions_v3 ((coalesce(doc->>'data_access_type', 'open')));
