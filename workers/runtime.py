"""The dependencies of the actors in one worker process, built lazily after the fork.

The composition root calls `configure(factory)`; the first actor that runs calls `current()`,
which builds the context once per process (HTTP clients and database pools must not be created
in a parent process and inherited).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from workers.biotools_client import BioToolsClient
from workers.mail import MailSender, MailSettings
from workers.notifications import NotificationSource
from workers.sync import BioToolsLinks

__all__ = ["WorkerContext", "configure", "current", "reset"]


@dataclass(frozen=True)
class WorkerContext:
    """Everything an actor needs."""

    links: BioToolsLinks
    biotools: BioToolsClient
    notifications: NotificationSource
    mail_settings: MailSettings
    mail_sender: MailSender


_lock = threading.Lock()
_factory: Callable[[], WorkerContext] | None = None
_context: WorkerContext | None = None


def configure(factory: Callable[[], WorkerContext]) -> None:
    """Set how this process builds its context (replaces any context already built)."""
    global _factory, _context
    with _lock:
        _factory, _context = factory, None


def current() -> WorkerContext:
    """The process's context, built on first use."""
    global _context
    with _lock:
        if _context is None:
            if _factory is None:
                raise RuntimeError("workers.runtime.configure() was not called in this process")
            _context = _factory()
        return _context


def reset() -> None:
    """Forget the factory and the context (tests)."""
    global _factory, _context
    with _lock:
        _factory, _context = None, None
