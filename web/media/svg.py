"""SVG sanitising (spec §6 "Uploads"): parse safely, strip active content, serialise canonically.

The document is parsed with defusedxml with DTDs forbidden, so XXE, external entities and
entity expansion (billion laughs) are refused before any expansion happens. Removed: ``<script>``
elements (any namespace), elements outside the SVG namespace (``foreignObject`` payloads,
editor metadata), ``on*`` event attributes, ``src``/``action``/``formaction``, any ``href`` or
``xlink:href`` that is not a ``#fragment``, and animations that would set such an attribute.
The output is serialised by this module (SVG as the default namespace, ``xlink:`` for XLink), so
sanitising its own output gives the same bytes (idempotent) and the root is always ``<svg>``,
also for the legacy ``<ns0:svg>`` spelling.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS: Final = "http://www.w3.org/2000/svg"
XLINK_NS: Final = "http://www.w3.org/1999/xlink"
XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
#: Deeper nesting than any real logo; refused so a hostile document cannot exhaust the stack.
MAX_DEPTH: Final = 200

_DROPPED_ATTRIBUTES: Final = frozenset({"src", "action", "formaction"})
_ANIMATIONS: Final = frozenset({"set", "animate", "animateMotion", "animateTransform"})

NOT_SVG = "The file is not a well-formed SVG image."
FORBIDDEN = "The SVG uses a DTD, entities or external references, which are not allowed."
TOO_DEEP = f"The SVG nests elements more than {MAX_DEPTH} levels deep."


class SvgRejected(ValueError):
    """Raised when an SVG cannot be parsed safely or its root is not ``<svg>``."""


def sanitise_svg(data: bytes) -> bytes:
    """The sanitised document as UTF-8 bytes with an XML declaration."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise SvgRejected(FORBIDDEN) from None
    except (ET.ParseError, ValueError, UnicodeError):
        raise SvgRejected(NOT_SVG) from None
    namespace, local = _split(root.tag)
    if local != "svg" or namespace not in ("", SVG_NS):
        raise SvgRejected(NOT_SVG)
    parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, parts, depth=0, is_root=True)
    return "".join(parts).encode("utf-8")


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _kept_element(element: ET.Element) -> bool:
    if not isinstance(element.tag, str):
        return False
    namespace, local = _split(element.tag)
    if namespace not in ("", SVG_NS) or local.lower() == "script":
        return False
    if local in _ANIMATIONS:
        target = _split(element.get("attributeName", ""))[1].split(":")[-1].lower()
        if target == "href" or target.startswith("on") or target in _DROPPED_ATTRIBUTES:
            return False
    return True


def _attribute_name(name: str, value: str) -> str | None:
    """The serialised name of a kept attribute, or None when it is dropped."""
    namespace, local = _split(name)
    lowered = local.lower()
    if lowered.startswith("on") or lowered in _DROPPED_ATTRIBUTES:
        return None
    if lowered == "href" and not value.strip().startswith("#"):
        return None
    if namespace == "":
        return local
    if namespace == XLINK_NS:
        return f"xlink:{local}"
    if namespace == XML_NS:
        return f"xml:{local}"
    return None


def _write(element: ET.Element, parts: list[str], depth: int, is_root: bool = False) -> None:
    if depth > MAX_DEPTH:
        raise SvgRejected(TOO_DEEP)
    local = _split(element.tag)[1]
    attributes: list[tuple[str, str]] = []
    for name, value in element.attrib.items():
        kept = _attribute_name(name, value)
        if kept is not None and not kept.startswith("xmlns"):
            attributes.append((kept, value))
    if is_root:
        attributes = [("xmlns", SVG_NS), ("xmlns:xlink", XLINK_NS), *attributes]
    parts.append(f"<{local}")
    for name, value in attributes:
        parts.append(f" {name}={quoteattr(value)}")
    children = [child for child in element if _kept_element(child)]
    if not children and not element.text:
        parts.append("/>")
    else:
        parts.append(">")
        parts.append(escape(element.text or ""))
        for child in children:
            _write(child, parts, depth + 1)
        parts.append(f"</{local}>")
    if not is_root and element.tail:
        parts.append(escape(element.tail))
