"""Delivering the notification mails of one committed event (the `send_mail` job's work)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from workers.delivery import MailInFlight
from workers.mail import MailSender, MailSettings, compose

__all__ = ["Notification", "NotificationSource", "deliver_notification"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    """What a mail needs about one event: the submission's fields as of that event, for an
    amendment its changes and whether it reset the status, and for a status change the admin's
    message to the submitter."""

    submission: Mapping[str, Any]
    changes: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    status_reset: bool = False
    comment: str = ""


class NotificationSource(Protocol):
    """Looks up the event at `position` of the registry's log."""

    def notification(self, kind: str, submission_id: str, position: int) -> Notification | None:
        """The notification, or None when the submission is gone (erased) or unknown."""


def deliver_notification(
    source: NotificationSource,
    settings: MailSettings,
    sender: MailSender,
    kind: str,
    submission_id: str,
    position: int,
) -> int:
    """Compose and send the mails of one event; returns how many were sent.

    A failed admin mail raises (the job is retried; the deterministic Message-IDs let the outbox
    and mail clients drop the duplicate); a failed submitter mail is only logged, as before.
    """
    found = source.notification(kind, submission_id, position)
    if found is None:
        log.warning("no %s notification for submission %s at %s", kind, submission_id, position)
        return 0
    messages = compose(
        kind,
        found.submission,
        settings,
        changes=found.changes,
        status_reset=found.status_reset,
        comment=found.comment,
        idempotency_key=f"{submission_id}:{position}:{kind}",
    )
    sent = 0
    for index, message in enumerate(messages):
        try:
            sender.send(message)
        except MailInFlight:
            raise  # another copy of this job is sending it: retry (workers.delivery)
        except Exception:
            if index == 0:
                raise
            log.exception("submitter mail for %s failed; not retried", submission_id)
            continue
        sent += 1
    return sent
