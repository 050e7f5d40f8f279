"""Logos in an S3-compatible object store (issue 18), against moto's S3 server started here:
uploaded through one host and served by another with the headers the directory store gives,
and no object left behind by a command that was refused."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from registry.webapp import media_store
from schema.settings import Settings
from tests.unit.web.conftest import VALID_CREATE, Api, build
from web.context import etag
from web.media.s3 import S3MediaStore
from web.media.store import FilesystemMediaStore, MediaStore
from workers.fake_biotools import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"
SERVED_HEADERS = ("content-type", "cache-control", "x-content-type-options")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, answering; stopped afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:  # wait until it answers (it exits on a port taken meanwhile)
            assert server.poll() is None, "moto's server exited"
            try:
                if httpx.get(f"{url}/moto-api/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "moto's server did not answer in 30 s"
                time.sleep(0.05)  # polling an observable state: the port answering
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; the store reads the credentials from boto3's usual environment."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"logos-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION).create_bucket(Bucket=name)
    return name


def _objects(endpoint: str, bucket: str) -> list[dict[str, Any]]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    contents: list[dict[str, Any]] = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return contents


def _store(endpoint: str, bucket: str) -> MediaStore:
    settings = Settings(
        media_s3_bucket=bucket,
        media_s3_endpoint_url=endpoint,
        media_s3_region=REGION,
        media_s3_prefix="registry",
    )
    return media_store(settings)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 128, 0, 255)).save(out, "PNG")
    return out.getvalue()


def _form(**overrides: Any) -> dict[str, Any]:
    data = {**VALID_CREATE, **overrides}
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in data.items()}


def _create_with_logo(api: Api, **overrides: Any) -> Any:
    return api.client.post(
        "/api/v1/submissions/",
        data=_form(**overrides),
        files={"logo": ("logo.png", png(), "image/png")},
    )


def _stored_logo(api: Api) -> str:
    [(_, (data, *_))] = [call for call in api.registry.calls if call[0] == "register"]
    path: str = data["logo"]
    return path


def test_the_settings_choose_the_bucket_else_the_directory(s3_endpoint: str) -> None:
    store = _store(s3_endpoint, "any")
    assert isinstance(store, S3MediaStore)
    assert store.prefix == "registry/"
    assert isinstance(media_store(Settings()), FilesystemMediaStore)


def test_a_logo_uploaded_through_one_host_is_served_by_another_like_from_a_directory(
    s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    one = build(Settings(rate_limits="off"), media=_store(s3_endpoint, bucket))
    other = build(Settings(rate_limits="off"), media=_store(s3_endpoint, bucket))
    assert _create_with_logo(one).status_code == 201
    path = _stored_logo(one)
    [stored] = _objects(s3_endpoint, bucket)
    assert stored["Key"] == f"registry/{path}"

    served = other.client.get(f"/media/{path}")
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (8, 8)
    # The same file in a directory store is served with the very same headers.
    directory = FilesystemMediaStore(tmp_path)
    assert directory.save_as(path, served.content)
    local = build(Settings(rate_limits="off"), media=directory).client.get(f"/media/{path}")
    assert {h: served.headers[h] for h in SERVED_HEADERS} == {
        h: local.headers[h] for h in SERVED_HEADERS
    }
    assert served.headers["content-security-policy"] == local.headers["content-security-policy"]
    assert served.headers["content-type"] == "image/png"


def test_an_unknown_or_foreign_name_is_not_found(s3_endpoint: str, bucket: str) -> None:
    api = build(Settings(rate_limits="off"), media=_store(s3_endpoint, bucket))
    assert api.client.get(f"/media/logos/{uuid.uuid4()}.png").status_code == 404
    assert api.client.get("/media/../secrets.txt").status_code == 404


def test_a_refused_registration_leaves_no_logo_in_the_bucket(s3_endpoint: str, bucket: str) -> None:
    api = build(Settings(rate_limits="off"), media=_store(s3_endpoint, bucket))
    refused = _create_with_logo(api, service_name="invalid")  # the domain refuses it
    assert refused.status_code == 400
    assert _stored_logo(api).startswith("logos/")  # it was stored while the command ran
    assert _objects(s3_endpoint, bucket) == []


def test_a_refused_patch_leaves_no_logo_in_the_bucket(s3_endpoint: str, bucket: str) -> None:
    api = build(Settings(rate_limits="off"), media=_store(s3_endpoint, bucket))
    created = api.create()
    stale = TestClient(api.client.app).patch(
        f"/api/v1/submissions/{created['id']}/",
        files={"logo": ("logo.png", png(), "image/png")},
        headers={**api.owner(created), "If-Match": etag(7)},
    )
    assert stale.status_code == 412
    assert [name for name, _ in api.registry.calls].count("amend") == 1
    assert _objects(s3_endpoint, bucket) == []


def test_a_refused_registration_leaves_no_logo_in_the_directory(tmp_path: Path) -> None:
    api = build(Settings(rate_limits="off"), media=FilesystemMediaStore(tmp_path))
    assert _create_with_logo(api, service_name="invalid").status_code == 400
    assert list((tmp_path / "logos").iterdir()) == []
    assert _create_with_logo(api).status_code == 201
    assert len(list((tmp_path / "logos").iterdir())) == 1


def test_the_import_keeps_a_logo_name_once_in_the_bucket(s3_endpoint: str, bucket: str) -> None:
    store = _store(s3_endpoint, bucket)
    assert isinstance(store, S3MediaStore)
    name = f"logos/{uuid.uuid4()}.png"
    assert store.save_as(name, b"first")
    assert not store.save_as(name, b"second")  # taken: nothing replaced
    assert store.read(name) == b"first"
    with pytest.raises(ValueError, match="not a logo name"):
        store.save_as("../elsewhere.png", b"x")
