-- biotools_records v1: the synced bio.tools record (functions included) of each live submission;
-- `record` is NULL until a sync; `state` is the slice of the submission the projector folds.
CREATE TABLE IF NOT EXISTS biotools_records_v1 (
    submission_id uuid NOT NULL,
    submission_status text NOT NULL,
    biotools_id text,
    record jsonb,
    state jsonb NOT NULL,
    CONSTRAINT biotools_records_v1_pkey PRIMARY KEY (submission_id)
);
CREATE INDEX IF NOT EXISTS biotools_records_v1_biotools_id_idx
    ON biotools_records_v1 (biotools_id) WHERE record IS NOT NULL;
