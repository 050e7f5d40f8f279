"""The registry-wide change feed as the admin pages read it (spec/ui.md §5.7.2, §5.7.6, §9 item
4): the activity page's filters (the read side applies them: ``ReadPort.admin_activity``) and
every entry of the read port's ``changes`` for the statistics; each admin's cursor ("marked as
seen") lives in the credential store, by session subject."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from web.ports import Doc, ReadPort

CHUNK: Final = 1000
SHOWN: Final = 50

TYPE_LABELS: Final = {
    "Registered": "Registered",
    "Imported": "Imported",
    "HistoryImported": "Imported history",
    "Amended": "Edited",
    "StatusChanged": "Status changed",
    "MaturityTagsAssigned": "Maturity tags",
    "RelatedServicesChanged": "Related services",
    "KeyIssued": "Key issued",
    "KeyRevoked": "Key revoked",
    "BioToolsLinked": "bio.tools linked",
    "BioToolsUnlinked": "bio.tools unlinked",
    "BioToolsSynced": "bio.tools synced",
    "BioToolsSyncFailed": "bio.tools sync failed",
    "Erased": "Erased",
}


def everything_after(read: ReadPort, after: int = 0) -> list[Doc]:
    """Every feed entry after ``after``, oldest first (chunks of 1,000)."""
    out: list[Doc] = []
    while True:
        chunk = read.changes(after, CHUNK)
        out.extend(chunk)
        if len(chunk) < CHUNK:
            return out
        after = int(chunk[-1]["position"])


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


@dataclass(frozen=True)
class FeedParams:
    """The activity page's filters."""

    type: str = ""
    actor: str = ""
    submission: str = ""
    date_from: str = ""
    date_to: str = ""
    after: int = 0
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, params: QueryParams) -> FeedParams:
        """The filters of a query string (a bad date or position named in ``errors``)."""
        errors = {}
        dates = {}
        for name in ("from", "to"):
            text = params.get(name, "").strip()
            dates[name] = _date(text) if text else ""
            if text and not dates[name]:
                errors[name] = f"{name}: enter a date as YYYY-MM-DD."
        after_text = params.get("after", "").strip()
        if after_text and not (after_text.isdigit() and len(after_text) < 19):
            errors["after"] = "after: enter a position (a whole number)."
        return cls(
            type=params.get("type", "") if params.get("type", "") in TYPE_LABELS else "",
            actor=params.get("actor", "").strip()[:100],
            submission=params.get("submission", "").strip()[:64],
            date_from=dates["from"],
            date_to=dates["to"],
            after=int(after_text) if after_text.isdigit() and len(after_text) < 19 else 0,
            errors=errors,
        )

    def pairs(self, *, after: bool = True) -> list[tuple[str, str]]:
        """The query pairs (defaults left out)."""
        out = [
            (name, value)
            for name, value in (
                ("type", self.type),
                ("actor", self.actor),
                ("submission", self.submission),
                ("from", self.date_from),
                ("to", self.date_to),
            )
            if value
        ]
        if after and self.after:
            out.append(("after", str(self.after)))
        return out

    def filters(self) -> dict[str, str | int]:
        """What the read side filters the feed by (``ReadPort.admin_activity``)."""
        return {**dict(self.pairs(after=False)), "after": self.after}

    def query(self, **extra: str) -> str:
        """``?…`` of the filters (without ``after``) plus ``extra``."""
        pairs = self.pairs(after=False) + list(extra.items())
        return "?" + urlencode(pairs) if pairs else ""
