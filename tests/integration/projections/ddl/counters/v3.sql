CREATE TABLE counters_v3 (
    id      uuid   NOT NULL,
    label   text   NOT NULL,
    total   bigint NOT NULL,
    doc     jsonb  NOT NULL,
    CONSTRAINT counters_v3_pkey PRIMARY KEY (id)
);
CREATE INDEX counters_v3_label_idx ON counters_v3 (label);
CREATE TABLE counter_adds_v3 (
    counter_id uuid    NOT NULL,
    seq        integer NOT NULL,
    amount     bigint  NOT NULL,
    CONSTRAINT counter_adds_v3_pkey PRIMARY KEY (counter_id, seq)
);
