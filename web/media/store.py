"""Where uploaded files live: the :class:`MediaStore` port and its filesystem adapter.

Stored names are ``<folder>/<uuid4>.<ext>``: chosen here, never taken from the client, so a name
can neither collide nor traverse. Files are written to a temporary file in the target folder and
renamed into place, so a reader never sees half a file. Replaced logos are kept (spec §6).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Final, Protocol

#: The only stored names that resolve: a logo under its uuid4 name with a known extension.
LOGO_NAME: Final = re.compile(
    r"^logos/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.(png|jpg|svg)$"
)


class MediaStore(Protocol):
    """Stores uploaded files under fresh names and reads them back."""

    def save(self, folder: str, extension: str, content: bytes) -> str:
        """Store ``content`` under a new ``<folder>/<uuid4>.<extension>``; return that path."""
        ...

    def read(self, path: str) -> bytes | None:
        """The content stored under ``path``, or None when there is no such logo."""
        ...

    def delete(self, path: str) -> None:
        """Remove what :meth:`save` stored under ``path`` (nothing refers to it: the command
        it was saved for was refused); a name that is not a logo's, or is gone, is ignored."""
        ...


class FilesystemMediaStore:
    """A :class:`MediaStore` over a directory (``REGISTRY_MEDIA_DIR``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, folder: str, extension: str, content: bytes) -> str:
        """Write atomically (temporary file, fsync, rename) under a fresh uuid4 name."""
        path = f"{folder}/{uuid.uuid4()}.{extension}"
        target = self.root / path
        temporary = self._temporary(target, content)
        try:
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return path

    def save_as(self, path: str, content: bytes) -> bool:
        """Store ``content`` under ``path`` itself, a name :data:`LOGO_NAME` serves (the import
        keeps the existing system's names); False, storing nothing, when the name is taken."""
        if not LOGO_NAME.fullmatch(path):
            raise ValueError(f"not a logo name: {path!r}")
        target = self.root / path
        temporary = self._temporary(target, content)
        try:
            os.link(temporary, target)  # atomic, and never replaces an existing file
        except FileExistsError:
            return False
        finally:
            temporary.unlink(missing_ok=True)
        return True

    @staticmethod
    def _temporary(target: Path, content: bytes) -> Path:
        """``content`` written and synced to a temporary file beside ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Path(temporary)

    def read(self, path: str) -> bytes | None:
        """Only names matching :data:`LOGO_NAME` resolve; anything else is None."""
        if not LOGO_NAME.fullmatch(path):
            return None
        try:
            return (self.root / path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def delete(self, path: str) -> None:
        """Only names matching :data:`LOGO_NAME` are removed; a missing file is ignored."""
        if LOGO_NAME.fullmatch(path):
            (self.root / path).unlink(missing_ok=True)
