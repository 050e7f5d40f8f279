-- counters v4: v1 without the removed `label` column (phase 2 of removing a field).
CREATE TABLE counters_v4 (
    id      uuid   NOT NULL,
    total   bigint NOT NULL,
    doc     jsonb  NOT NULL,
    CONSTRAINT counters_v4_pkey PRIMARY KEY (id)
);
CREATE TABLE counter_adds_v4 (
    counter_id uuid    NOT NULL,
    seq        integer NOT NULL,
    amount     bigint  NOT NULL,
    CONSTRAINT counter_adds_v4_pkey PRIMARY KEY (counter_id, seq)
);
