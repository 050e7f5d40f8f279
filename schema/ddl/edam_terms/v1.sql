-- edam_terms v1: the EDAM ontology as reference data, loaded by workers.edam.load_edam from the
-- edam-ontology package. Terms are never deleted: a term that leaves EDAM is marked obsolete.
-- Idempotent: safe to run on every load.

CREATE TABLE IF NOT EXISTS edam_terms_v1 (
    id              integer     NOT NULL,   -- the numeric part of the accession (unique across branches)
    accession       text        NOT NULL,   -- e.g. topic_0091
    uri             text        NOT NULL,   -- e.g. http://edamontology.org/topic_0091
    branch          text        NOT NULL,   -- topic | operation | data | format (from the root ancestor)
    label           text        NOT NULL,
    definition      text        NOT NULL DEFAULT '',
    synonyms        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    parent          text        NULL,       -- accession of the first EDAM parent
    is_obsolete     boolean     NOT NULL DEFAULT false,
    is_annotatable  boolean     NOT NULL DEFAULT true,  -- false: notRecommendedForAnnotation
    replaced_by     jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- accessions, for obsolete terms
    consider        jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- accessions, for obsolete terms
    sort_order      integer     NOT NULL,
    edam_version    text        NOT NULL DEFAULT '',
    CONSTRAINT edam_terms_v1_pkey PRIMARY KEY (id),
    CONSTRAINT edam_terms_v1_accession_key UNIQUE (accession),
    CONSTRAINT edam_terms_v1_uri_key UNIQUE (uri)
);

CREATE INDEX IF NOT EXISTS edam_terms_v1_branch_obsolete_idx
    ON edam_terms_v1 (branch, is_obsolete);
CREATE INDEX IF NOT EXISTS edam_terms_v1_label_idx ON edam_terms_v1 (label);
CREATE INDEX IF NOT EXISTS edam_terms_v1_branch_sort_idx ON edam_terms_v1 (branch, sort_order);

DO $$
BEGIN
    IF to_regclass('edam_terms') IS NULL THEN
        CREATE VIEW edam_terms AS SELECT * FROM edam_terms_v1;
    END IF;
END
$$;
