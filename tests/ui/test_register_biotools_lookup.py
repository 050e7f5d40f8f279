"""The composition root's bio.tools look-up (spec/ui.md §5.3): the workers' client behind the
web package's port, every failure a short reason (httpx.MockTransport, never the internet)."""

from __future__ import annotations

import json

import httpx
import pytest

from registry.biotools_lookup import ClientLookup
from web.ports import BioToolsLookupFailed

TOOL = {"biotoolsID": "mapper", "name": "Read Mapper", "description": "Maps reads.", "homepage": ""}


def lookup(handler: httpx.MockTransport) -> ClientLookup:
    return ClientLookup("https://bio.tools/api", transport=handler)


def test_a_found_tool_is_its_flat_record() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=json.dumps(TOOL))

    record = lookup(httpx.MockTransport(answer)).lookup("mapper")
    assert record["name"] == "Read Mapper"
    assert record["biotools_id"] == "mapper"
    assert seen == ["https://bio.tools/api/tool/mapper/?format=json"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (404, "no tool with the id 'mapper'"),
        (429, "bio.tools is busy; try again in a minute"),
        (503, "bio.tools could not be reached"),
    ],
)
def test_a_failed_look_up_says_why(status: int, reason: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=b"{}"))
    with pytest.raises(BioToolsLookupFailed, match=reason):
        lookup(transport).lookup("mapper")


def test_a_timeout_is_a_failed_look_up() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(BioToolsLookupFailed, match="could not be reached"):
        lookup(httpx.MockTransport(slow)).lookup("mapper")
