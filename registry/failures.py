"""What an operator sees when a ``registry`` command fails: one line on standard error that says
what went wrong and what to do, and an exit code from this table (``docs/operations.md``).
The traceback of an expected failure is shown only with ``registry --debug …`` or
``REGISTRY_LOG_LEVEL=DEBUG``; an unexpected one (a bug, exit 70) always shows it.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from dataclasses import dataclass

#: The command did what was asked.
OK = 0
#: A check found a problem (``projections check``, ``alive``, ``import`` with failed records).
CHECK_FAILED = 1
#: Bad arguments or configuration (also argparse's own code for usage errors).
USAGE = 2
#: Refused: an unknown projection, version, key or submission id, or an operation the current
#: state does not allow (promoting a version that is not caught up, retiring the live one).
REFUSED = 3
#: The database or the broker cannot be reached, or the database is not migrated yet.
UNAVAILABLE = 4
#: The address to listen on is in use or not allowed.
CANNOT_LISTEN = 5
#: A bug: please report it with the output of ``--debug``.
INTERNAL = 70
#: Stopped by Ctrl-C before it was done.
INTERRUPTED = 130


class CannotListen(Exception):
    """Raised when a server socket cannot be bound to its address."""

    def __init__(self, host: str, port: int, cause: OSError) -> None:
        self.host = host
        self.port = port
        self.in_use = cause.errno == errno.EADDRINUSE
        super().__init__(cause.strerror or str(cause))


def bind(sock: socket.socket, host: str, port: int) -> None:
    """``sock.bind((host, port))``, raising :class:`CannotListen` (the socket closed) on failure."""
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CannotListen(host, port, exc) from exc


@dataclass(frozen=True)
class Failure:
    """An exit code and the one line that explains it."""

    code: int
    message: str


def explain(exc: BaseException) -> Failure:
    """The failure an operator should see for ``exc`` (INTERNAL when it is not an expected one)."""
    for cause in _chain(exc):
        found = _expected(cause)
        if found is not None:
            return found
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return Failure(
        INTERNAL,
        f"unexpected error: {type(exc).__name__}: {first} "
        "(a bug: please report it with the traceback above)",
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from (libraries wrap driver errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _expected(exc: BaseException) -> Failure | None:
    import psycopg
    import psycopg_pool

    from domain.errors import NotFound, RegistryError
    from projections.catalogue import CatalogueError
    from projections.follow import VersionFailed
    from schema.settings import ConfigurationError

    if isinstance(exc, ConfigurationError):
        return Failure(USAGE, f"{exc} (see .env.example for every variable)")
    if isinstance(exc, CannotListen):
        what = "is in use" if exc.in_use else "cannot be used"
        return Failure(
            CANNOT_LISTEN,
            f"{exc.host}:{exc.port} {what} ({exc}): stop what listens there, or choose "
            "another address with --host/--port or REGISTRY_HOST/REGISTRY_PORT",
        )
    if isinstance(exc, CatalogueError | VersionFailed):
        return Failure(REFUSED, f"{exc} (see `registry projections status`)")
    if isinstance(exc, NotFound):
        return Failure(REFUSED, f"{exc} Check the id (e.g. `registry admin-keys list`).")
    if isinstance(exc, RegistryError):
        return Failure(REFUSED, f"refused: {exc}")
    if isinstance(exc, psycopg.errors.UndefinedTable):
        return Failure(UNAVAILABLE, "the database is not migrated: run `registry migrate` first")
    if isinstance(exc, psycopg.OperationalError | psycopg_pool.PoolTimeout):
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Failure(
            UNAVAILABLE,
            f"cannot reach the database ({reason}): is PostgreSQL running, and is "
            "REGISTRY_DATABASE_URL right?",
        )
    return _broker(exc)


def _broker(exc: BaseException) -> Failure | None:
    module = type(exc).__module__
    if module.startswith(("redis", "pika", "dramatiq")) and "Connection" in type(exc).__name__:
        return Failure(
            UNAVAILABLE,
            f"cannot reach the broker ({type(exc).__name__}: {exc}): is it running, and is "
            "REGISTRY_BROKER_URL right?",
        )
    return None
