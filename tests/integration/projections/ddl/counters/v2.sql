CREATE TABLE counters_v2 (
    id      uuid    NOT NULL,
    label   text    NOT NULL,
    total   bigint  NOT NULL,
    adds    integer NOT NULL,
    doc     jsonb   NOT NULL,
    CONSTRAINT counters_v2_pkey PRIMARY KEY (id)
);
CREATE TABLE counter_adds_v2 (
    counter_id uuid    NOT NULL,
    seq        integer NOT NULL,
    amount     bigint  NOT NULL,
    CONSTRAINT counter_adds_v2_pkey PRIMARY KEY (counter_id, seq)
);
