"""Carrying the existing system's logos over: ``registry import --media DIR``.

``DIR`` is the old ``MEDIA_ROOT``; a submission's ``logo`` names a file under it
(``logos/<uuid4>.<ext>``). Each file goes through the upload pipeline (``web.media.logo``:
type by magic bytes, raster images re-encoded, SVG sanitised) and into the media store, so an
imported logo is exactly as safe as an uploaded one. It keeps its old name when that is a name the
store serves (``logos/<uuid4>.<png|jpg|svg>`` of the processed type) and is free, so links to the
old ``/media/…`` URLs keep working; otherwise it gets a fresh name. A logo that is missing,
outside ``DIR`` or refused by the pipeline is reported; its submission is imported without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web.media.logo import LOGO_MAX_BYTES, LogoRejected, process_logo
from web.media.s3 import S3MediaStore
from web.media.store import LOGO_NAME, FilesystemMediaStore


@dataclass(frozen=True)
class Carried:
    """A logo's outcome: the stored path (None: the submission gets no logo) and, when it could
    not be carried, why."""

    path: str | None
    problem: str | None = None


class Logos:
    """Reads logos under ``source`` and stores them in ``store`` (None: a dry run, which only
    checks them)."""

    def __init__(
        self,
        source: Path,
        store: FilesystemMediaStore | S3MediaStore | None,
        max_bytes: int = LOGO_MAX_BYTES,
    ) -> None:
        self.source = source.resolve()
        self.store = store
        self.max_bytes = max_bytes

    def carry(self, old: str) -> Carried:
        """Process and store the logo the old system kept under ``old``."""
        file = (self.source / old).resolve()
        if not file.is_relative_to(self.source):
            return Carried(None, f"logo {old!r} is outside the media folder")
        try:
            processed = process_logo(file.read_bytes(), self.max_bytes)
        except OSError as exc:
            return Carried(None, f"logo {old!r} cannot be read ({exc.strerror or exc})")
        except LogoRejected as exc:
            return Carried(None, f"logo {old!r} was refused: {exc}")
        if self.store is None:
            return Carried(old)
        same_name = f"{old.rsplit('.', 1)[0]}.{processed.extension}"
        if (
            same_name == old
            and LOGO_NAME.fullmatch(old)
            and self.store.save_as(old, processed.content)
        ):
            return Carried(old)
        return Carried(self.store.save("logos", processed.extension, processed.content))
