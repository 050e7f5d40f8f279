"""The concrete projectors of the registry.

`PROJECTORS` lists every version the code declares (older versions stay listed until retired, so
they keep following for rollback); `projections.operations` (migrate, status, rebuild, …) and
the runners use it. Tables that are not projections (nothing in the event log fills them) are
the support tables of `projections.support`.
"""

from __future__ import annotations

from projections.projector import Projector
from projections.projectors.api_keys import ApiKeysProjector
from projections.projectors.derived import BioToolsRecordsProjector, CatalogueProjector
from projections.projectors.history import (
    HistoryProjector,
    HistoryProjectorV2,
    HistoryProjectorV3,
)
from projections.projectors.public_catalogue import PublicCatalogueProjector
from projections.projectors.reference import (
    CategoriesProjector,
    PisProjector,
    ServiceCentresProjector,
)
from projections.projectors.submissions import VERSIONS as SUBMISSIONS_VERSIONS

PROJECTORS: tuple[type[Projector], ...] = (
    *SUBMISSIONS_VERSIONS,
    HistoryProjector,
    HistoryProjectorV2,
    HistoryProjectorV3,
    CatalogueProjector,
    PublicCatalogueProjector,
    ApiKeysProjector,
    CategoriesProjector,
    ServiceCentresProjector,
    PisProjector,
    BioToolsRecordsProjector,
)

__all__ = ["PROJECTORS"]
