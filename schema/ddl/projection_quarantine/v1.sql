-- projection_quarantine: rows a projection version set aside because an event could not be applied
-- to them, and the events held back on those rows (projections/quarantine.py; the policy is in
-- projections/__init__.py). Operational state of the runners, created by `migrate` only.
CREATE TABLE IF NOT EXISTS projection_quarantine (
    name               text        NOT NULL,
    version            integer     NOT NULL,
    row_table          text        NOT NULL,
    row_key            jsonb       NOT NULL,
    snapshot           jsonb,
    position           bigint      NOT NULL,
    topic              text        NOT NULL,
    originator_id      text,
    originator_version bigint,
    error              text        NOT NULL,
    traceback          text        NOT NULL,
    quarantined_at     timestamptz NOT NULL DEFAULT now(),
    requested          text
        CONSTRAINT projection_quarantine_requested_check CHECK (requested IN ('retry', 'skip')),
    CONSTRAINT projection_quarantine_pkey PRIMARY KEY (name, version, row_table, row_key)
);
CREATE TABLE IF NOT EXISTS projection_held_events (
    name     text    NOT NULL,
    version  integer NOT NULL,
    position bigint  NOT NULL,
    CONSTRAINT projection_held_events_pkey PRIMARY KEY (name, version, position)
);
