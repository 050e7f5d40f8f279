"""The logo pipeline (spec §6 "Uploads"): size limit, type by magic bytes, re-encoding.

An upload's type is decided by its first bytes only, never by its name or declared MIME type.
Raster images are fully decoded and re-encoded, so what is stored is pixels Pillow produced:
JPEG as RGB with any alpha composited on white and EXIF dropped, PNG with its metadata dropped.
SVG goes through :func:`web.media.svg.sanitise_svg`. Every refusal is a :class:`LogoRejected`
whose message the API reports under the ``logo`` field.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Final, Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from web.media.svg import SvgRejected, sanitise_svg

Kind = Literal["png", "jpg", "svg"]

LOGO_MAX_BYTES: Final = 10 * 1024 * 1024
#: More pixels than any logo needs; larger headers are refused before decoding (bomb check).
MAX_PIXELS: Final = 25_000_000
JPEG_QUALITY: Final = 90

MEDIA_TYPES: Final[dict[str, str]] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "svg": "image/svg+xml",
}

EMPTY = "The submitted file is empty."
WRONG_TYPE = "Upload a valid image: PNG, JPEG or SVG."
DAMAGED = "The image is damaged or truncated."
TOO_MANY_PIXELS = f"The image has more than {MAX_PIXELS} pixels."

# What Pillow raises on hostile or broken input; each is a refusal of the upload, never a 500.
_DECODE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    TypeError,
    KeyError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)


class LogoRejected(ValueError):
    """Raised when an upload is empty, too large, of an unknown type, damaged or unsafe."""


@dataclass(frozen=True)
class ProcessedLogo:
    """A logo ready to store: the re-encoded bytes and the extension they are stored under."""

    content: bytes
    extension: Kind

    @property
    def media_type(self) -> str:
        """The content type the file is served with."""
        return MEDIA_TYPES[self.extension]


def detect(data: bytes) -> Kind | None:
    """The type named by the leading bytes, or None (spec §6: magic bytes only)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"<?xml", b"<svg")) or _prefixed_svg(head):
        return "svg"
    return None


def _prefixed_svg(head: bytes) -> bool:
    """``<prefix:svg`` (a namespaced root such as the legacy ``<ns0:svg``)."""
    if not head.startswith(b"<"):
        return False
    name = head[1:64].split(b" ", 1)[0].split(b">", 1)[0]
    prefix, _, local = name.partition(b":")
    return bool(prefix) and local.rstrip(b"\r\n\t/") == b"svg" and prefix.isalnum()


def process_logo(data: bytes, max_bytes: int = LOGO_MAX_BYTES) -> ProcessedLogo:
    """Check and re-encode one upload; raise :class:`LogoRejected` naming the problem."""
    if not data:
        raise LogoRejected(EMPTY)
    if len(data) > max_bytes:
        raise LogoRejected(f"The logo must be at most {max_bytes} bytes.")
    kind = detect(data)
    if kind is None:
        raise LogoRejected(WRONG_TYPE)
    if kind == "svg":
        try:
            return ProcessedLogo(sanitise_svg(data), "svg")
        except SvgRejected as exc:
            raise LogoRejected(str(exc)) from None
    return ProcessedLogo(_reencode(data, kind), kind)


def _reencode(data: bytes, kind: Kind) -> bytes:
    pil_format = "JPEG" if kind == "jpg" else "PNG"
    try:
        _verify(data, pil_format)
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            _check_pixels(image)
            image.load()
            clean = _clean_jpeg(image) if kind == "jpg" else _clean_png(image)
        out = io.BytesIO()
        if kind == "jpg":
            clean.save(out, "JPEG", quality=JPEG_QUALITY)
        else:
            clean.save(out, "PNG", **_png_options(clean))
    except LogoRejected:
        raise
    except Image.DecompressionBombError:
        raise LogoRejected(TOO_MANY_PIXELS) from None
    except _DECODE_ERRORS:
        raise LogoRejected(DAMAGED) from None
    return out.getvalue()


def _verify(data: bytes, pil_format: str) -> None:
    """Pillow's structural check (``verify`` leaves the image unusable, hence its own open)."""
    try:
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            _check_pixels(image)
            image.verify()
    except UnidentifiedImageError:
        raise LogoRejected(DAMAGED) from None


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise LogoRejected(DAMAGED)
    if width * height > MAX_PIXELS:
        raise LogoRejected(TOO_MANY_PIXELS)


def flatten_on_white(image: Image.Image) -> Image.Image:
    """An RGB copy with any transparency composited onto white."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _clean_jpeg(image: Image.Image) -> Image.Image:
    # EXIF is dropped, so its orientation is applied to the pixels first.
    upright = ImageOps.exif_transpose(image)
    return flatten_on_white(upright if upright is not None else image)


def _clean_png(image: Image.Image) -> Image.Image:
    clean = image.copy()
    transparency = image.info.get("transparency")
    clean.info = {} if transparency is None else {"transparency": transparency}
    return clean


def _png_options(image: Image.Image) -> dict[str, object]:
    transparency = image.info.get("transparency")
    return {} if transparency is None else {"transparency": transparency}
