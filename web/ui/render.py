"""Rendering the pages: one Jinja2 environment, the page and fragment responses, and the few
filters that produce markup (spec/ui.md §2.5, §3.3 "Output encoding").

Everything goes through autoescape. The only markup made outside a template is made here from
text escaped first: :func:`linkify` (https links in descriptions) and :func:`highlight` (search
terms in ``<mark>``), both return :class:`markupsafe.Markup` of escaped tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from schema.settings import Settings
from schema.text_search import fold
from web.requestid import current_request_id
from web.ui.assets import Assets
from web.ui.security import page_headers

TEMPLATES = Path(__file__).resolve().parent / "templates"

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Site:
    """The site-wide texts of the header and footer (``REGISTRY_SITE_*``)."""

    name: str
    contact_email: str
    privacy_url: str | None
    imprint_url: str | None
    user_guide_url: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Site:
        """The site texts configured in ``settings``."""
        return cls(
            name=settings.site_name,
            contact_email=settings.site_contact_email or settings.admin_email,
            privacy_url=settings.site_privacy_url,
            imprint_url=settings.site_imprint_url,
            user_guide_url=settings.site_user_guide_url,
        )


def highlight(text: str | None, words: Iterable[str]) -> Markup:
    """``text`` escaped, with each word start matching a search word wrapped in ``<mark>``."""
    text = text or ""
    wanted = [w for w in words if w]
    if not wanted:
        return escape(text)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in wanted) + r")\w*")
    folded = fold(text)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        start, end = match.span()
        parts.append(str(escape(text[last:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))  # noqa: S704 (every token escaped above)


def linkify(text: str | None) -> Markup:
    """Paragraphs of escaped text; only ``http(s)://`` URLs become links (after escaping)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    out = []
    for paragraph in paragraphs:
        pieces: list[str] = []
        last = 0
        for match in _URL.finditer(paragraph):
            pieces.append(str(escape(paragraph[last : match.start()])))
            url = escape(match.group(0))
            pieces.append(f'<a href="{url}">{url}</a>')
            last = match.end()
        pieces.append(str(escape(paragraph[last:])))
        out.append("<p>" + "".join(pieces).replace("\n", "<br>") + "</p>")
    return Markup("".join(out))  # noqa: S704 (every token escaped above)


def web_url(value: Any) -> str:
    """``value`` when it is an ``http(s)://`` URL, else "" (never a ``javascript:`` link, even
    from imported or bio.tools data the domain's URL rules never saw)."""
    text = str(value or "").strip()
    return text if re.match(r"(?i)https?://[^\s]+$", text) else ""


def parse_time(value: Any) -> dt.datetime | None:
    """A datetime from an ISO string or datetime (naive taken as UTC); None when absent."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def human_date(value: Any) -> str:
    """``4 Mar 2026`` (UTC)."""
    moment = parse_time(value)
    if moment is None:
        return ""
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def utc_text(value: Any) -> str:
    """``2026-03-04 14:05 UTC``."""
    moment = parse_time(value)
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def utc_iso(value: Any) -> str:
    """``2026-03-04T14:05:00Z`` for ``<time datetime>``."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def relative(value: Any, now: dt.datetime | None = None) -> str:
    """``3 days ago`` (coarse: minutes, hours, days, months, years)."""
    moment = parse_time(value)
    if moment is None:
        return ""
    seconds = int(((now or dt.datetime.now(dt.UTC)) - moment).total_seconds())
    for size, unit in ((31_536_000, "year"), (2_592_000, "month"), (86_400, "day")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    if seconds >= 3600:
        return f"{seconds // 3600} hour{'s' if seconds >= 7200 else ''} ago"
    if seconds >= 60:
        return f"{seconds // 60} minute{'s' if seconds >= 120 else ''} ago"
    return "just now"


class Renderer:
    """The template environment of one app and the responses it builds."""

    def __init__(self, settings: Settings, assets: Assets | None = None) -> None:
        self.settings = settings
        self.assets = assets or Assets()
        self.site = Site.from_settings(settings)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            site=self.site,
            asset=self.assets.url,
            integrity=self.assets.integrity,
            catalogue_enabled=settings.feature_catalogue,
        )
        self.env.filters.update(
            human_date=human_date,
            utc_text=utc_text,
            utc_iso=utc_iso,
            relative=relative,
            linkify=linkify,
            highlight=highlight,
            web_url=web_url,
        )

    def text(self, template: str, context: Mapping[str, Any]) -> str:
        """The rendered template."""
        return self.env.get_template(template).render(request_id=current_request_id(), **context)

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        status: int = 200,
        private: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """A full page or fragment with the pages' CSP and caching (``private``: ``no-store``).

        A public 200 carries an ETag of its body and answers ``304`` to a matching
        ``If-None-Match``, so the one-minute public cache revalidates without a body.
        """
        body = self.text(template, {"path": request.url.path, "section": "", **context}).encode()
        all_headers = page_headers(https=self._https(request), private=private)
        all_headers.update(headers or {})
        if status == 200 and not private:
            tag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            all_headers["ETag"] = tag
            if tag in request.headers.get("if-none-match", ""):
                return Response(status_code=304, headers=all_headers)
        return HTMLResponse(body, status_code=status, headers=all_headers)

    def _https(self, request: Request) -> bool:
        base = self.settings.public_base_url
        if base:
            return base.startswith("https://")
        return request.url.scheme == "https"
