"""The concrete projectors of the registry, and the small non-projection tables of the read side.

`PROJECTORS` lists every version the code declares (older versions stay listed until retired, so
they keep following for rollback); `projections.operations` (migrate, status, rebuild, …) and
the runners use it.
`SUPPORT_DDL` lists the DDL of tables that are not projections (nothing in the event log fills
them): `key_usage` (API keys' last use), `registry_subject_keys` (the erasure key vault) and
`ui_sessions` (the web pages' sessions);
`create_support_tables` creates them, idempotently.
"""

from __future__ import annotations

from typing import Any

import psycopg

from projections.projector import DDL_ROOT, Projector
from projections.projectors.api_keys import ApiKeysProjector
from projections.projectors.derived import BioToolsRecordsProjector, CatalogueProjector
from projections.projectors.history import HistoryProjector, HistoryProjectorV2
from projections.projectors.public_catalogue import PublicCatalogueProjector
from projections.projectors.reference import (
    CategoriesProjector,
    PisProjector,
    ServiceCentresProjector,
)
from projections.projectors.submissions import SubmissionsProjector, SubmissionsProjectorV2

PROJECTORS: tuple[type[Projector], ...] = (
    SubmissionsProjector,
    SubmissionsProjectorV2,
    HistoryProjector,
    HistoryProjectorV2,
    CatalogueProjector,
    PublicCatalogueProjector,
    ApiKeysProjector,
    CategoriesProjector,
    ServiceCentresProjector,
    PisProjector,
    BioToolsRecordsProjector,
)

SUPPORT_DDL = (
    DDL_ROOT / "key_usage" / "v1.sql",
    DDL_ROOT / "subject_keys" / "v1.sql",
    DDL_ROOT / "ui_sessions" / "v1.sql",
)


def create_support_tables(conn: psycopg.Connection[Any]) -> None:
    """Create the support tables unless they exist."""
    with conn.transaction():
        for path in SUPPORT_DDL:
            conn.execute(path.read_text())


__all__ = ["PROJECTORS", "SUPPORT_DDL", "create_support_tables"]
