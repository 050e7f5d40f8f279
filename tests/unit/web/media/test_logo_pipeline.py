"""The logo pipeline: each accepted type re-encoded clean, every kind of bad upload refused."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from web.media.logo import (
    EMPTY,
    TOO_MANY_PIXELS,
    WRONG_TYPE,
    LogoRejected,
    detect,
    flatten_on_white,
    process_logo,
)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` x ``height`` with almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_types_are_told_by_their_first_bytes_only() -> None:
    assert detect(b"\xff\xd8\xff\xe0rest") == "jpg"
    assert detect(b"\x89PNG\r\n\x1a\nrest") == "png"
    assert detect(b"\xef\xbb\xbf  <?xml version='1.0'?><svg/>") == "svg"
    assert detect(b"<svg xmlns='http://www.w3.org/2000/svg'/>") == "svg"
    assert detect(b"<ns0:svg xmlns:ns0='http://www.w3.org/2000/svg'/>") == "svg"
    assert detect(b"GIF89a") is None
    assert detect(b"<html><svg/></html>") is None


def test_a_png_is_re_encoded_without_its_text_metadata() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret author notes")
    data = encoded(Image.new("RGBA", (4, 4), (10, 20, 30, 128)), "PNG", pnginfo=info)
    logo = process_logo(data)
    assert logo.extension == "png"
    assert logo.media_type == "image/png"
    assert b"secret author notes" not in logo.content
    with Image.open(io.BytesIO(logo.content)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0)) == (10, 20, 30, 128)


def test_a_jpeg_is_re_encoded_as_rgb_without_exif() -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    data = encoded(Image.new("CMYK", (6, 6), (0, 255, 255, 0)), "JPEG", exif=exif.tobytes())
    assert b"SecretCameraMaker" in data
    logo = process_logo(data)
    assert logo.extension == "jpg"
    assert b"SecretCameraMaker" not in logo.content
    assert b"Exif" not in logo.content
    with Image.open(io.BytesIO(logo.content)) as image:
        assert image.mode == "RGB"
        assert dict(image.getexif()) == {}


def test_transparency_is_composited_on_white() -> None:
    clear = Image.new("RGBA", (2, 2), (255, 0, 0, 0))
    assert flatten_on_white(clear).getpixel((0, 0)) == (255, 255, 255)
    half = Image.new("LA", (2, 2), (0, 128))
    assert flatten_on_white(half).getpixel((0, 0)) == (127, 127, 127)
    solid = Image.new("RGBA", (2, 2), (0, 0, 255, 255))
    assert flatten_on_white(solid).mode == "RGB"
    assert flatten_on_white(solid).getpixel((0, 0)) == (0, 0, 255)


def test_an_svg_is_sanitised() -> None:
    logo = process_logo(b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'><rect/></svg>")
    assert logo.extension == "svg"
    assert logo.media_type == "image/svg+xml"
    assert b"onload" not in logo.content


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(LogoRejected, match=EMPTY):
        process_logo(b"")


def test_a_file_over_the_limit_is_refused() -> None:
    data = encoded(Image.new("RGB", (4, 4)), "PNG")
    with pytest.raises(LogoRejected, match="at most 10 bytes"):
        process_logo(data, max_bytes=10)


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00", b"hello world", b"%PDF-1.7", b"\x00" * 64, b"BM\x00\x00"],
)
def test_other_types_are_refused_whatever_they_are_called(data: bytes) -> None:
    with pytest.raises(LogoRejected, match=WRONG_TYPE):
        process_logo(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused(fmt: str) -> None:
    data = encoded(Image.effect_noise((64, 64), 50).convert("RGB"), fmt)
    for cut in (12, 40, len(data) // 2, len(data) - 8):
        with pytest.raises(LogoRejected):
            process_logo(data[:cut])


def test_a_png_claiming_a_huge_size_is_refused_before_decoding() -> None:
    with pytest.raises(LogoRejected, match=TOO_MANY_PIXELS):
        process_logo(png_header_only(6000, 6000))
    with pytest.raises(LogoRejected, match=TOO_MANY_PIXELS):
        process_logo(png_header_only(100_000, 100_000))


def test_a_highly_compressed_png_bomb_is_refused() -> None:
    bomb = encoded(Image.new("1", (8000, 8000)), "PNG", optimize=True)
    assert len(bomb) < 100_000
    with pytest.raises(LogoRejected, match=TOO_MANY_PIXELS):
        process_logo(bomb)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"<svg", b"<?xml"]),
    tail=st.binary(max_size=512),
)
def test_garbage_after_any_magic_is_refused_or_accepted_never_crashes(
    prefix: bytes, tail: bytes
) -> None:
    with contextlib.suppress(LogoRejected):
        process_logo(prefix + tail)


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), byte=st.integers(min_value=0, max_value=255))
def test_a_corrupted_byte_in_a_real_image_never_crashes(position: int, byte: int) -> None:
    for data in (
        encoded(Image.effect_noise((16, 16), 30).convert("RGB"), "PNG"),
        encoded(Image.effect_noise((16, 16), 30).convert("RGB"), "JPEG"),
    ):
        index = position % len(data)
        mutated = data[:index] + bytes([byte]) + data[index + 1 :]
        with contextlib.suppress(LogoRejected):
            process_logo(mutated)
