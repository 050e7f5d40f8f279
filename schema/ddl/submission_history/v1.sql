-- submission_history v1: one row per recorded change of a submission (the history endpoint) and
-- the registry-wide change feed (ordered by `position`, the notification id).
CREATE TABLE IF NOT EXISTS submission_history_v1 (
    aggregate_id uuid NOT NULL,
    aggregate_version integer NOT NULL,
    position bigint NOT NULL,
    submission_id uuid NOT NULL,
    version integer,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL,
    event_type text NOT NULL,
    changes jsonb NOT NULL DEFAULT '[]'::jsonb,
    CONSTRAINT submission_history_v1_pkey PRIMARY KEY (aggregate_id, aggregate_version),
    CONSTRAINT submission_history_v1_position_key UNIQUE (position)
);
CREATE INDEX IF NOT EXISTS submission_history_v1_submission_idx
    ON submission_history_v1 (submission_id, position);
