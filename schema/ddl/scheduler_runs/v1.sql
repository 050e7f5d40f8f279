-- scheduler_runs: when each periodic job last ran to completion (workers/scheduler.py). A
-- scheduler that becomes active (at start, or taking over from a dead host's) runs at once every
-- job whose cron time passed since then: a run missed or cut short while no scheduler was
-- active is not lost.
CREATE TABLE IF NOT EXISTS scheduler_runs (
    job_id  text        PRIMARY KEY,
    ran_at  timestamptz NOT NULL
);
