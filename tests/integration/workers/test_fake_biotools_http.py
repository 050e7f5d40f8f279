"""The client's retry and failure policy over real HTTP against the fake bio.tools server."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.fake_biotools import FakeBioTools, Mode, free_port
from workers.biotools_client import (
    BioToolsClient,
    BioToolsNotFound,
    BioToolsRateLimited,
    BioToolsUnavailable,
    RetryPolicy,
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBioTools]:
    with FakeBioTools() as server:
        yield server


@pytest.fixture
def client(fake: FakeBioTools) -> Iterator[BioToolsClient]:
    fake.set_mode(Mode())
    fake.state.shape = "snapshot"
    with BioToolsClient(fake.base_url, timeout=httpx.Timeout(1.0, connect=1.0)) as c:
        yield c
    fake.set_mode(Mode())


def test_the_fake_serves_fixtures_case_insensitively(client: BioToolsClient) -> None:
    assert client.fetch("BLAST").biotools_id == "blast"
    assert client.fetch("mmseqs2").biotools_id == "MMseqs2"


def test_the_fake_serves_the_live_shape_on_request(
    fake: FakeBioTools, client: BioToolsClient
) -> None:
    fake.state.shape = "live"
    fetched = client.fetch("AAI-profiler")
    assert fetched.raw["license"] is None
    assert fetched.raw["function"] == []
    fake.state.shape = "snapshot"
    assert "license" not in client.fetch("AAI-profiler").raw


def test_the_fake_answers_the_documented_paths_and_prefix(fake: FakeBioTools) -> None:
    base = fake.base_url
    for url in (f"{base}/tool/blast", f"{base}/t/blast/", f"{base}/tool/biotools:blast/"):
        response = httpx.get(url)
        assert response.status_code == 200, url
        assert response.json()["biotoolsID"] == "blast"


def test_an_unknown_id_is_not_found(client: BioToolsClient) -> None:
    with pytest.raises(BioToolsNotFound):
        client.fetch_with_retry("no-such-tool", sleep=lambda s: None)


def test_a_rate_limit_is_honoured_then_the_fetch_succeeds(
    fake: FakeBioTools, client: BioToolsClient
) -> None:
    fake.set_mode(Mode("429", retry_after="0.2", times=2))
    started = time.monotonic()
    fetched = client.fetch_with_retry("samtools", RetryPolicy(attempts=3))
    assert fetched.biotools_id == "samtools"
    assert time.monotonic() - started >= 0.4


def test_a_persistent_rate_limit_raises_after_the_last_attempt(
    fake: FakeBioTools, client: BioToolsClient
) -> None:
    fake.set_mode(Mode("429", retry_after="0"))
    before = fake.state.requests["bwa"]
    with pytest.raises(BioToolsRateLimited) as caught:
        client.fetch_with_retry("bwa", RetryPolicy(attempts=3))
    assert caught.value.retry_after == 0.0
    assert fake.state.requests["bwa"] - before == 3


def test_server_errors_are_retried_with_backoff(fake: FakeBioTools, client: BioToolsClient) -> None:
    fake.set_mode(Mode("500", times=2))
    fetched = client.fetch_with_retry("galaxy", RetryPolicy(attempts=3, base_delay=0.01))
    assert fetched.biotools_id == "galaxy"


def test_persistent_server_errors_raise_unavailable(
    fake: FakeBioTools, client: BioToolsClient
) -> None:
    fake.set_mode(Mode("500"))
    with pytest.raises(BioToolsUnavailable):
        client.fetch_with_retry("galaxy", RetryPolicy(attempts=2, base_delay=0.01))


def test_a_stalled_answer_times_out_as_unavailable(
    fake: FakeBioTools, client: BioToolsClient
) -> None:
    fake.set_mode(Mode("stall", stall_seconds=3.0, times=1))
    started = time.monotonic()
    with pytest.raises(BioToolsUnavailable) as caught:
        client.fetch("nextflow")
    assert time.monotonic() - started < 2.5
    assert "timeout" in str(caught.value)


def test_a_stall_once_is_survived_by_the_retry_policy(
    fake: FakeBioTools, client: BioToolsClient
) -> None:
    fake.set_mode(Mode("stall", stall_seconds=3.0, times=1))
    fetched = client.fetch_with_retry("nextflow", RetryPolicy(attempts=2, base_delay=0.01))
    assert fetched.biotools_id == "nextflow"


def test_the_control_endpoint_switches_modes(fake: FakeBioTools, client: BioToolsClient) -> None:
    control = fake.base_url.removesuffix("/api") + "/_control"
    assert httpx.post(control, json={"mode": "500", "times": 1}).json()["mode"] == "500"
    with pytest.raises(BioToolsUnavailable):
        client.fetch("bwa")
    assert client.fetch("bwa").biotools_id == "bwa"
    assert httpx.get(control).json()["mode"] == "ok"


def test_a_record_can_be_changed_upstream(fake: FakeBioTools, client: BioToolsClient) -> None:
    raw = dict(client.fetch("j").raw)
    tools = fake.base_url.removesuffix("/api") + "/_control/tools"
    try:
        httpx.put(tools, json={**raw, "description": "A changed description."}).raise_for_status()
        assert client.fetch("J").record["description"] == "A changed description."
    finally:
        fake.state.put_record(raw)


def test_the_fake_runs_as_its_own_process_in_the_live_shape() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_biotools", "--port", str(port), "--shape", "live"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/tool/KisSplice/?format=json")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the fake did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["biotoolsID"] == "KisSplice"
        assert response.json()["confidence_flag"] is None
    finally:
        process.terminate()
        process.wait(timeout=10)
