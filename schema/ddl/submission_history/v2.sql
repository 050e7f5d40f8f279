-- submission_history v2: as v1, rebuilt so that change records use today's field names
-- (kpi_since; the upcaster renames them in older events). One row per recorded change of a
-- submission (the history endpoint) and the registry-wide change feed (ordered by `position`,
-- the notification id).
CREATE TABLE IF NOT EXISTS submission_history_v2 (
    aggregate_id uuid NOT NULL,
    aggregate_version integer NOT NULL,
    position bigint NOT NULL,
    submission_id uuid NOT NULL,
    version integer,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL,
    event_type text NOT NULL,
    changes jsonb NOT NULL DEFAULT '[]'::jsonb,
    CONSTRAINT submission_history_v2_pkey PRIMARY KEY (aggregate_id, aggregate_version),
    CONSTRAINT submission_history_v2_position_key UNIQUE (position)
);
CREATE INDEX IF NOT EXISTS submission_history_v2_submission_idx
    ON submission_history_v2 (submission_id, position);
