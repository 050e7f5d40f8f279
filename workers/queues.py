"""The names of the Dramatiq queues the actors use. Importing this module has no side effects
(unlike ``workers.actors``), so the composition root may read the names without a broker."""

from __future__ import annotations

from typing import Final

__all__ = ["ALL_QUEUES", "BIOTOOLS_QUEUE", "MAIL_QUEUE"]

BIOTOOLS_QUEUE: Final = "biotools"
MAIL_QUEUE: Final = "mail"

#: Every queue a worker consumes, in the order the System page lists them.
ALL_QUEUES: Final = (BIOTOOLS_QUEUE, MAIL_QUEUE)
