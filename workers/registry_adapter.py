"""The worker ports (`BioToolsLinks`, `NotificationSource`) implemented over the domain's
`Registry` application: the composition root builds these and puts them in the worker context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.application import Registry
from domain.changes import DisplayNames
from domain.errors import NotFound
from domain.fields import FIELDS
from domain.results import SubmissionView
from workers.notifications import Notification

__all__ = ["RegistryLinks", "RegistryNotifications", "mail_fields"]


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


class RegistryLinks:
    """`BioToolsLinks` over the registry: the link comes from the submission's event stream,
    results are recorded with the worker actor (`worker:biotools`)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def linked_biotools_id(self, submission_id: str) -> str | None:
        """The submission's current bio.tools ID, None when unlinked, erased or unknown."""
        ident = _uuid(submission_id)
        if ident is None:
            return None
        try:
            return self.registry.get_submission(ident).biotools_id
        except NotFound:
            return None

    def record_sync(self, submission_id: str, biotools_id: str, record: Mapping[str, Any]) -> bool:
        """Record a fetched entry; False when the domain recorded nothing."""
        ident = _uuid(submission_id)
        if ident is None:
            return False
        try:
            return self.registry.record_biotools_sync(ident, biotools_id, record).recorded
        except NotFound:
            return False

    def record_failure(self, submission_id: str, biotools_id: str, error: str) -> bool:
        """Record a failed fetch; False when the domain recorded nothing."""
        ident = _uuid(submission_id)
        if ident is None:
            return False
        try:
            return self.registry.record_biotools_failure(ident, biotools_id, error).recorded
        except NotFound:
            return False


# Wire names of the registry -> the names the mail templates use (the served names).
_RENAMED = {f.name: f.served_as for f in FIELDS if f.served_as != f.name}


def mail_fields(view: SubmissionView, names: DisplayNames) -> dict[str, Any]:
    """The fields a mail may show, from a `SubmissionView` (keys, hashes and the IP are left out
    here already; the templates never look them up either). References are shown by `names`
    (the service centre, categories, PIs and EDAM terms by name, as the change log shows them;
    categories and PIs in alphabetical order), never by id."""
    values: dict[str, Any] = {_RENAMED.get(key, key): v for key, v in view.values.items()}
    centre = values.get("service_center")
    values["service_center"] = names.centre(str(centre)) if centre else ""
    values["service_categories"] = sorted(
        names.category(int(c)) for c in values.get("service_categories") or []
    )
    values["responsible_pis"] = sorted(
        names.pi(str(p)) for p in values.get("responsible_pis") or []
    )
    for field in ("edam_topic_ids", "edam_operation_ids"):
        values[field] = [names.edam(str(a)) for a in values.get(field) or []]
    values["related_service_ids"] = [
        names.service(str(s)) for s in values.get("related_service_ids") or []
    ]
    return {
        **values,
        "id": str(view.id),
        "status": view.status,
        "submitted_at": view.submitted_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
    }


class RegistryNotifications:
    """`NotificationSource` over the registry's notification log: the event at a position, and
    the submission as of that event."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def notification(self, kind: str, submission_id: str, position: int) -> Notification | None:
        """The notification of the event at `position`, None when it does not belong to the
        submission or the submission is erased."""
        ident = _uuid(submission_id)
        if ident is None:
            return None
        found = self.registry.notification_log.select(position, 1)
        if not found or found[0].id != position or found[0].originator_id != ident:
            return None
        event = self.registry.mapper.to_domain_event(found[0])
        try:
            view = self.registry.get_submission(ident, version=event.originator_version)
        except NotFound:
            return None
        return Notification(
            submission=mail_fields(view, self.registry.display_names()),
            changes=[dict(c) for c in getattr(event, "changes", None) or []],
            status_reset=bool(getattr(event, "status_reset", False)),
            comment=str(getattr(event, "comment", "") or ""),
        )
