"""One bio.tools sync of one submission, against an injected transport."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.unit.workers.fakes import InMemoryLinks
from workers.biotools_client import BioToolsClient, BioToolsRateLimited, BioToolsUnavailable
from workers.sync import sync_submission

FIXTURES = Path(__file__).resolve().parents[3] / "bench" / "fixtures" / "biotools"


def _serve(request: httpx.Request) -> httpx.Response:
    wanted = request.url.path.rstrip("/").rsplit("/", 1)[-1].casefold()
    for path in FIXTURES.glob("*.json"):
        if path.stem.casefold() == wanted:
            return httpx.Response(200, content=path.read_bytes())
    return httpx.Response(404, json={"detail": "Not found."})


def _client(handler: httpx.MockTransport | None = None) -> BioToolsClient:
    return BioToolsClient("https://bio.tools/api", transport=handler or httpx.MockTransport(_serve))


def test_a_linked_submission_is_synced_once_and_then_unchanged() -> None:
    links = InMemoryLinks({"s1": "Mmseqs2"})
    first = sync_submission(links, _client().fetch, "s1")
    again = sync_submission(links, _client().fetch, "s1")
    assert (first.outcome, again.outcome) == ("synced", "unchanged")
    assert links.syncs == [("s1", "Mmseqs2")]
    # Recorded under the submission's link; the record keeps bio.tools' own spelling.
    assert links.records["s1"]["biotools_id"] == "MMseqs2"


def test_an_unlinked_submission_fetches_nothing() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    result = sync_submission(InMemoryLinks(), _client(httpx.MockTransport(refuse)).fetch, "s1")
    assert result.outcome == "unlinked"


def test_a_tool_gone_from_bio_tools_is_recorded_as_a_failure() -> None:
    links = InMemoryLinks({"s1": "vanished-tool"})
    result = sync_submission(links, _client().fetch, "s1")
    assert result.outcome == "not_found"
    assert links.failures[0][:2] == ("s1", "vanished-tool")
    assert "HTTP 404" in links.failures[0][2]


def test_an_answer_that_is_not_a_tool_is_recorded_as_a_failure() -> None:
    links = InMemoryLinks({"s1": "blast"})
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"<html/>"))
    assert sync_submission(links, _client(transport).fetch, "s1").outcome == "invalid"
    assert len(links.failures) == 1


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(429, headers={"Retry-After": "3"}), BioToolsRateLimited),
        (httpx.Response(502), BioToolsUnavailable),
    ],
)
def test_transient_trouble_is_raised_and_records_nothing(
    response: httpx.Response, error: type[Exception]
) -> None:
    links = InMemoryLinks({"s1": "blast"})
    with pytest.raises(error):
        sync_submission(links, _client(httpx.MockTransport(lambda r: response)).fetch, "s1")
    assert links.syncs == links.failures == []
