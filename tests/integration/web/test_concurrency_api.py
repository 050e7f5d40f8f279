"""Concurrent PATCHes of one submission: each succeeds in order or is refused with 409/412, and
no accepted update is ever lost."""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.web.conftest import Live


def test_concurrent_patches_never_lose_an_accepted_update(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    fields = ["comments", "keywords_seo", "keywords_uncited", "user_knowledge_required"]

    async def run() -> list[tuple[str, int]]:
        transport = httpx.ASGITransport(app=live.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def patch(field: str, n: int) -> tuple[str, int]:
                response = await client.patch(url, json={field: f"value {n}"}, headers=live.admin())
                return f"{field}={n}", response.status_code

            return await asyncio.gather(*(patch(field, n) for n in range(3) for field in fields))

    outcomes = asyncio.run(run())
    assert {status for _, status in outcomes} <= {200, 409, 412}
    accepted = [name for name, status in outcomes if status == 200]
    assert accepted
    history = live.client.get(url + "history/", headers=live.admin()).json()
    recorded = {
        f"{change['field']}={str(change['new']).removeprefix('value ')}"
        for item in history
        for change in item["changes"]
    }
    assert set(accepted) <= recorded
    final = live.client.get(url, headers=live.admin()).json()
    for field in fields:
        last = [n for n in accepted if n.startswith(field + "=")]
        if last:
            assert final[field].startswith("value ")


def test_racing_repeats_of_one_idempotency_key_create_exactly_one_submission(live: Live) -> None:
    payload = live.payload()

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=live.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/submissions/", json=payload, headers={"Idempotency-Key": "race"}
                    )
                    for _ in range(6)
                )
            )

    responses = asyncio.run(run())
    assert {r.status_code for r in responses} <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    listed = live.client.get("/api/v1/submissions/", headers=live.admin()).json()
    assert listed["count"] == 1
