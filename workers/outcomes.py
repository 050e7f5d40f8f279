"""A Dramatiq middleware reporting each job's outcome (the ``registry_worker_jobs`` metric)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy

#: Called with (actor name, outcome) where outcome is ``done``, ``failed`` or ``skipped``.
Record = Callable[[str, str], None]


class JobOutcomes(dramatiq.Middleware):
    """Counts finished, failed and skipped messages per actor through ``record``."""

    def __init__(self, record: Record) -> None:
        self.record = record

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        """A message was processed: ``failed`` if it raised (a retry may follow), else ``done``."""
        self.record(message.actor_name, "done" if exception is None else "failed")

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        """A message was skipped (for example expired by its age limit)."""
        self.record(message.actor_name, "skipped")
