CREATE TABLE counters_v1 (
    id      uuid   NOT NULL,
    label   text   NOT NULL,
    total   bigint NOT NULL,
    doc     jsonb  NOT NULL,
    CONSTRAINT counters_v1_pkey PRIMARY KEY (id)
);
CREATE INDEX counters_v1_label_idx ON counters_v1 (label);
CREATE TABLE counter_adds_v1 (
    counter_id uuid    NOT NULL,
    seq        integer NOT NULL,
    amount     bigint  NOT NULL,
    CONSTRAINT counter_adds_v1_pkey PRIMARY KEY (counter_id, seq)
);
