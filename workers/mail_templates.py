"""The words of the notification mails (spec §4.9): subjects, plain-text and HTML bodies.

Only the fields named here ever reach a mail: API keys, key hashes, IP addresses and user-agent
hashes are never looked up, whatever the submission mapping holds.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from domain.fields import mail_fields

__all__ = [
    "EVENT_LABELS",
    "STATUS_LABELS",
    "admin_body",
    "status_label",
    "subject",
    "submitter_body",
]

PLATFORM = "[de.NBI Service Registration Platform]"
STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "under_review": "Under Review",
    "approved": "Approved",
    "rejected": "Rejected",
    "deprecated": "Deprecated",
}
EVENT_LABELS = {"created": "CREATED", "updated": "UPDATED", "status_changed": "STATUS CHANGED"}
STATUS_MESSAGES = {
    "approved": "Your service registration has been approved and is now listed in the de.NBI "
    "service registry.",
    "rejected": "Your service registration has been rejected. Please contact us if you would "
    "like to discuss the decision.",
    "under_review": "Your service registration is now under review by the de.NBI "
    "administration office.",
    "deprecated": "Your service has been marked as deprecated.",
}
DEFAULT_STATUS_MESSAGE = "If you have questions about your submission, please contact us."
_SUBJECTS = {
    "created": PLATFORM + " New service submitted: {service_name}",
    "status_changed": PLATFORM + " Status changed to '{status}': {service_name}",
    "updated": PLATFORM + " Update: {service_name}",
    "submitter_created": "Your service registration has been received: {service_name}",
    "submitter_status": "Your service registration status: {status} — {service_name}",
    "submitter_updated": "Your service registration has been updated: {service_name}",
}
NO_REPLY = "This is an automated email — please do not reply directly."
RESET_NOTICE = (
    "NOTICE: Because one or more core service fields were modified, your service registration "
    'has been reset to "Submitted" as part of the service registry lifecycle. The de.NBI '
    "administration office will review it again."
)

Lines = list[tuple[str, str]]


def status_label(status: str) -> str:
    """The display label of a status value (unknown values title-cased)."""
    return STATUS_LABELS.get(status, status.replace("_", " ").title())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def subject(kind: str, submission: Mapping[str, Any]) -> str:
    """The subject for `kind` (admin kinds or `submitter_*`), on one line."""
    name = _one_line(str(submission.get("service_name", "")))
    template = _SUBJECTS.get(kind, "[de.NBI Registry] {service_name}")
    status = status_label(str(submission.get("status", "")))
    return _one_line(template.format(service_name=name, status=status))


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _footer(org: Mapping[str, str]) -> Lines:
    return [
        ("", org.get("name", "de.NBI")),
        ("Contact", org.get("contact_email", "")),
        ("Website", org.get("website", "")),
    ]


#: The "Service details" of a mail: the catalogue's mail fields, by label and served name, with
#: the display labels of a field's choices (``kpi_monitoring``: "Yes", not "yes").
DETAIL_FIELDS: tuple[tuple[str, str, dict[str, str]], ...] = tuple(
    (f.label, f.served_as, {c.value: c.label for c in f.choices}) for f in mail_fields()
)


def _shown(value: Any, choices: Mapping[str, str]) -> Any:
    return choices.get(value, value) if isinstance(value, str) else value


def _details(s: Mapping[str, Any]) -> Lines:
    internal = f"{s.get('internal_contact_name', '')} <{s.get('internal_contact_email', '')}>"
    return [
        ("Submitter", _text(s.get("submitter_name"))),
        *((label, _text(_shown(s.get(name), choices))) for label, name, choices in DETAIL_FIELDS),
        ("Internal contact", internal),
    ]


def _changes(changes: Sequence[Mapping[str, Any]]) -> Lines:
    return [
        (
            str(c.get("label") or c.get("field", "")),
            f"{_text(c.get('old'))} → {_text(c.get('new'))}",
        )
        for c in changes
    ]


def _render(sections: Sequence[tuple[str, Lines]], paragraphs: Sequence[str]) -> tuple[str, str]:
    """Plain text and HTML of the same content: paragraphs, then titled key/value sections."""
    text: list[str] = [*paragraphs, ""]
    markup: list[str] = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    for title, lines in sections:
        if title:
            text += [title, "-" * len(title)]
            markup.append(f"<h3>{html.escape(title)}</h3>")
        text += [f"{k}: {v}" if k else v for k, v in lines] + [""]
        rows = "".join(
            f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in lines
        )
        markup.append(f"<table>{rows}</table>")
    return "\n".join(text), "<html><body>" + "".join(markup) + "</body></html>"


def admin_body(
    kind: str,
    s: Mapping[str, Any],
    *,
    changes: Sequence[Mapping[str, Any]],
    admin_url: str | None,
    org: Mapping[str, str],
) -> tuple[str, str]:
    """The admin mail for `created`, `updated` or `status_changed`."""
    head: Lines = [
        ("Event", EVENT_LABELS.get(kind, kind.replace("_", " ").upper())),
        ("Service", _text(s.get("service_name"))),
        ("Status", status_label(str(s.get("status", "")))),
        ("Submission ID", _text(s.get("id"))),
        ("Timestamp", _text(s.get("updated_at"))),
    ]
    if admin_url:
        head.append(("Admin Portal", admin_url))
    sections: list[tuple[str, Lines]] = [("", head)]
    if kind == "updated":
        sections.append(("WHAT CHANGED (Before → After)", _changes(changes)))
    sections += [("Service details", _details(s)), ("", _footer(org))]
    return _render(sections, [])


def submitter_body(
    kind: str,
    s: Mapping[str, Any],
    *,
    changes: Sequence[Mapping[str, Any]],
    status_reset: bool,
    org: Mapping[str, str],
    comment: str = "",
) -> tuple[str, str]:
    """The submitter mail for `created` (receipt), `updated` or `status_changed` (with the
    admin's message to the submitter, when there is one)."""
    greeting = f"Dear {s.get('submitter_first_name', '')} {s.get('submitter_last_name', '')},"
    contact = org.get("contact_email", "")
    paragraphs = [" ".join(greeting.split())]
    sections: list[tuple[str, Lines]] = []
    if kind == "created":
        paragraphs.append("Thank you: we have received your service registration.")
        sections.append(
            (
                "",
                [
                    ("Service", _text(s.get("service_name"))),
                    ("Submission ID", _text(s.get("id"))),
                    ("Submitted", _text(s.get("submitted_at"))),
                    ("Contact", contact),
                ],
            )
        )
    elif kind == "updated":
        paragraphs.append("Your service registration has been updated.")
        if changes:
            sections.append(("Changes (Previous / New)", _changes(changes)))
        else:
            paragraphs.append("No field differences were recorded for this update.")
        paragraphs.append(
            "If you did not make this change, please contact us immediately at " + contact + "."
        )
        if status_reset:
            paragraphs.append(RESET_NOTICE)
    else:
        status = str(s.get("status", ""))
        paragraphs.append(f"New status: {status_label(status).upper()}")
        paragraphs.append(STATUS_MESSAGES.get(status, DEFAULT_STATUS_MESSAGE))
        if comment.strip():
            paragraphs.append("Message from the reviewer: " + comment.strip())
        sections.append(("", [("Submission ID", _text(s.get("id")))]))
    sections.append(("", _footer(org)))
    text, markup = _render(sections, paragraphs)
    return text + NO_REPLY + "\n", markup.replace(
        "</body>", f"<p>{html.escape(NO_REPLY)}</p></body>"
    )
