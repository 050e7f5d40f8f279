-- edam_parents v1: every "is a" edge of the EDAM ontology (a term and each of its EDAM parents;
-- edam_terms keeps only the first), loaded by workers.edam.load_edam with the terms, so that
-- "a term and all its descendants" follows every parent. Replaced whole at each load.
-- Idempotent: safe to run on every load.

CREATE TABLE IF NOT EXISTS edam_parents_v1 (
    accession   text    NOT NULL,   -- the term, e.g. topic_3298
    parent      text    NOT NULL,   -- one of its EDAM parents, e.g. topic_3391
    CONSTRAINT edam_parents_v1_pkey PRIMARY KEY (accession, parent)
);

CREATE INDEX IF NOT EXISTS edam_parents_v1_parent_idx ON edam_parents_v1 (parent);

DO $$
BEGIN
    IF to_regclass('edam_parents') IS NULL THEN
        CREATE VIEW edam_parents AS SELECT * FROM edam_parents_v1;
    END IF;
END
$$;
