"""Port to the EDAM and SPDX reference catalogues (not aggregates: they come from packages).

Submissions store EDAM accessions (``topic_0091``) and SPDX ids (``Apache-2.0``). SPDX ids match
case-insensitively, as the SPDX specification says they do, and are stored in their canonical
case (:func:`canonical_licenses`). The read-side implementation lives in ``projections``;
``InMemoryCatalog`` serves tests and small setups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class EdamTermRef:
    """An EDAM term as the domain needs it."""

    accession: str
    branch: str
    label: str
    is_obsolete: bool = False


@dataclass(frozen=True)
class LicenseRef:
    """An SPDX licence as the domain needs it."""

    license_id: str
    name: str
    is_deprecated: bool = False


class ReferenceCatalog(Protocol):
    """Port: look up EDAM terms and SPDX licences by their public ids."""

    def edam_term(self, accession: str) -> EdamTermRef | None:
        """The term with this accession (obsolete ones included), or None."""
        ...

    def license(self, license_id: str) -> LicenseRef | None:
        """The licence with this SPDX id in any case (deprecated ones included), or None."""
        ...


def canonical_licenses(values: dict[str, Any], catalog: ReferenceCatalog) -> dict[str, Any]:
    """``values`` with each known licence id in its canonical SPDX case (``mit`` -> ``MIT``);
    unknown ids are left as sent, for validation to name them."""
    sent = values.get("licenses")
    if not isinstance(sent, list):
        return values
    canonical = []
    for license_id in sent:
        found = catalog.license(license_id) if isinstance(license_id, str) else None
        canonical.append(found.license_id if found is not None else license_id)
    return {**values, "licenses": canonical}


def license_key(license_id: str) -> str:
    """The case-insensitive key SPDX ids are matched by."""
    return license_id.casefold()


class InMemoryCatalog:
    """A ReferenceCatalog over given terms and licences."""

    def __init__(
        self, terms: Iterable[EdamTermRef] = (), licenses: Iterable[LicenseRef] = ()
    ) -> None:
        self._terms = {t.accession: t for t in terms}
        self._licenses = {license_key(lic.license_id): lic for lic in licenses}

    def edam_term(self, accession: str) -> EdamTermRef | None:
        """The term with this accession, or None."""
        return self._terms.get(accession)

    def license(self, license_id: str) -> LicenseRef | None:
        """The licence with this SPDX id in any case, or None."""
        return self._licenses.get(license_key(license_id))


def sample_catalog() -> InMemoryCatalog:
    """A small catalogue for tests and demos (real EDAM accessions and SPDX ids)."""
    return InMemoryCatalog(
        terms=[
            EdamTermRef("topic_0091", "topic", "Bioinformatics"),
            EdamTermRef("topic_0080", "topic", "Sequence analysis"),
            EdamTermRef("topic_0622", "topic", "Genomics"),
            EdamTermRef("topic_3168", "topic", "Sequencing"),
            EdamTermRef("topic_0121", "topic", "Proteomics"),
            EdamTermRef("topic_3307", "topic", "Computational biology"),
            EdamTermRef("topic_0003", "topic", "Topic", is_obsolete=True),
            EdamTermRef("operation_0292", "operation", "Sequence alignment"),
            EdamTermRef("operation_2403", "operation", "Sequence analysis"),
            EdamTermRef("operation_0004", "operation", "Operation"),
            EdamTermRef("operation_3198", "operation", "Read mapping"),
            EdamTermRef("operation_0310", "operation", "Sequence assembly"),
            EdamTermRef("operation_2945", "operation", "Analysis"),
            EdamTermRef("operation_0226", "operation", "Annotation", is_obsolete=True),
        ],
        licenses=[
            LicenseRef("MIT", "MIT License"),
            LicenseRef("Apache-2.0", "Apache License 2.0"),
            LicenseRef("GPL-3.0-only", "GNU General Public License v3.0 only"),
            LicenseRef("BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License'),
            LicenseRef("CC-BY-4.0", "Creative Commons Attribution 4.0 International"),
            LicenseRef("GPL-3.0", "GNU General Public License v3.0", is_deprecated=True),
        ],
    )
