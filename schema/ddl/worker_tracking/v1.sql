-- worker_tracking: the side-effect follower's position in the event log (workers/follower.py);
-- `migrate` sets a new database's position to the log's head.
CREATE TABLE IF NOT EXISTS worker_tracking (
    name      text   PRIMARY KEY,
    position  bigint NOT NULL
);
