-- projection_dead_letters: the events a projection version could not apply, with the error that
-- stopped it (projections/follow.py).
CREATE TABLE IF NOT EXISTS projection_dead_letters (
    id                 bigserial   PRIMARY KEY,
    name               text        NOT NULL,
    version            integer     NOT NULL,
    position           bigint      NOT NULL,
    topic              text        NOT NULL,
    originator_id      text,
    originator_version bigint,
    error              text        NOT NULL,
    traceback          text        NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now()
);
