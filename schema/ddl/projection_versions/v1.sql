-- projection_versions: the catalogue of read-table versions, their state and position
-- (projections/catalogue.py). At most one live version per projection.
CREATE TABLE IF NOT EXISTS projection_versions (
    name        text        NOT NULL,
    version     integer     NOT NULL,
    state       text        NOT NULL
        CONSTRAINT projection_versions_state_check
        CHECK (state IN ('building', 'live', 'standby', 'retired')),
    position    bigint      NOT NULL DEFAULT 0,
    tables      text[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    built_at    timestamptz,
    promoted_at timestamptz,
    retired_at  timestamptz,
    failed_at   timestamptz,
    error       text,
    CONSTRAINT projection_versions_pkey PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX IF NOT EXISTS projection_versions_one_live
    ON projection_versions (name) WHERE state = 'live';
