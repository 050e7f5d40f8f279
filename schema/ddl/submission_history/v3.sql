-- submission_history v3: v2's rows, each with `entry`, the JSON text the history endpoint serves
-- for it less its version ({changed_by, changed_at, changes}; the read adds the running version):
-- a history read joins stored text instead of having the server build JSON from every row.
CREATE TABLE IF NOT EXISTS submission_history_v3 (
    aggregate_id uuid NOT NULL,
    aggregate_version integer NOT NULL,
    position bigint NOT NULL,
    submission_id uuid NOT NULL,
    version integer,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL,
    event_type text NOT NULL,
    changes jsonb NOT NULL DEFAULT '[]'::jsonb,
    entry text NOT NULL,
    CONSTRAINT submission_history_v3_pkey PRIMARY KEY (aggregate_id, aggregate_version),
    CONSTRAINT submission_history_v3_position_key UNIQUE (position)
);
CREATE INDEX IF NOT EXISTS submission_history_v3_submission_idx
    ON submission_history_v3 (submission_id, position);
