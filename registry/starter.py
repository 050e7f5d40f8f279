"""``registry reference load-denbi``: the reference data a fresh registry needs before anyone
can register, recorded as ordinary reference events (actor ``setup``).

A registration names at least one service category, one service centre and one responsible PI
by id. A fresh store has none, so without an admin nobody could register. This loads the eight
de.NBI service units (short and full names; the three websites a public source gives), the
example categories the existing system's code names, and the generic "Associated partner" PI
entry a submitter picks when their PI is not listed (naming the PI in
``associated_partner_note``). Admins rename, add or deactivate them like any other record.

It is a separate command, never part of ``registry migrate``: the existing system's own
reference data, loaded by ``registry import``, must not meet a second set of the same names.
Loading twice records nothing the second time (centres and the partner entry have fixed ids,
categories are unique by name). Source: ``shared/fixtures/reference/denbi_service_*.json``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from uuid import UUID, uuid5

from domain.application import Registry
from domain.errors import ValidationFailed
from domain.ids import NAMESPACE
from projections.progress import ProgressListener
from registry.runtime import opened
from schema.settings import Settings

ACTOR = "setup"

#: (short name, full name, website)
CENTRES: tuple[tuple[str, str, str], ...] = (
    ("BiGi", "Bielefeld-Gießen Resource Center for Microbial Bioinformatics", ""),
    ("BioInfra.Prot", "Bioinformatics Infrastructure for Proteomics", ""),
    ("BioData", "Center for Biological Data", ""),
    (
        "CIBI",
        "Center for Integrative Bioinformatics",
        "https://www.denbi.de/network/center-for-integrative-bioinformatics-cibi",
    ),
    ("de.NBI-SysBio", "de.NBI Systems Biology Service Center", ""),
    ("GCBN", "German Crop BioGreenformatics Network", ""),
    ("HD-HuB", "Heidelberg Center for Human Bioinformatics", "https://www.hd-hub.de/"),
    (
        "RBC",
        "RNA Bioinformatics Center",
        "https://www.denbi.de/network/rna-bioinformatics-center-rbc",
    ),
)
CATEGORIES: tuple[str, ...] = (
    "Database",
    "Tool/Application",
    "Workflow/Pipeline",
    "Web application",
    "Toolbox",
)
PARTNER = {"last_name": "Partner", "first_name": "Associated", "is_associated_partner": True}


def centre_id(short_name: str) -> UUID:
    """The fixed id of a starter service centre."""
    return uuid5(NAMESPACE, f"starter-centre:{short_name}")


PARTNER_ID = uuid5(NAMESPACE, "starter-pi:associated-partner")


@dataclass(frozen=True)
class Loaded:
    """What one load recorded, and the log position of its last event (None: nothing new)."""

    centres: int
    categories: int
    partner: bool
    position: int | None

    def __str__(self) -> str:
        partner = "yes" if self.partner else "no"
        return (
            f"recorded: service centres {self.centres}, categories {self.categories},"
            f" associated-partner entry {partner}"
        )


def load_denbi(registry: Registry) -> Loaded:
    """Record whatever of the starter reference data is missing."""
    positions: list[int | None] = []
    centres = 0
    for short, full, website in CENTRES:
        ident = centre_id(short)
        if registry.exists(ident):
            continue
        data = {"short_name": short, "full_name": full, "website": website}
        positions.append(registry.create_centre(data, actor=ACTOR, centre_id=ident).position)
        centres += 1
    categories = 0
    for name in CATEGORIES:
        try:
            positions.append(registry.create_category({"name": name}, actor=ACTOR).position)
        except ValidationFailed:  # a category of that name exists: it is kept as it is
            continue
        categories += 1
    partner = False
    if not registry.exists(PARTNER_ID):
        try:
            positions.append(registry.create_pi(PARTNER, actor=ACTOR, pi_id=PARTNER_ID).position)
            partner = True
        except ValidationFailed:  # another PI already is the associated partner
            pass
    known = [p for p in positions if p is not None]
    return Loaded(centres, categories, partner, max(known) if known else None)


#: The read tables a loaded record must reach before the command returns.
PROJECTIONS = ("categories", "service_centres", "pis")
#: How long the command waits for them (a projection runner must be running).
VISIBLE_WITHIN = 10.0


def run(settings: Settings) -> int:
    """The command: load, wait until the options endpoint shows the records, report."""
    with opened(settings, pool_size=2) as (_, services):
        loaded = load_denbi(services.registry)
        visible = True
        if loaded.position is not None:
            listener = ProgressListener(services.database_url, poll_interval=0.2)
            try:
                visible = all(
                    listener.wait_for(name, loaded.position, VISIBLE_WITHIN) for name in PROJECTIONS
                )
            finally:
                listener.close()
    print(loaded)
    if not visible:
        print(
            "registry: the records are listed once a projection runner has caught up "
            "(is `registry up` or `registry project` running?)",
            file=sys.stderr,
        )
    return 0
