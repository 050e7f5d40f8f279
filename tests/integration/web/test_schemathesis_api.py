"""Property-based run of the OpenAPI document against the real app on the real stack: for every
operation, generated requests (with a valid full admin key) never get a 5xx, and every response
matches the documented status codes, content types and schemas.

``REGISTRY_SCHEMATHESIS_EXAMPLES`` sets the examples per operation (default 25; the issue's
"few hundred" is a longer run: ``REGISTRY_SCHEMATHESIS_EXAMPLES=300``). The operations are
driven from one test (schemathesis' pytest plugin does not support this pytest), each with its
own hypothesis run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.integration.web.conftest import Live

schemathesis = pytest.importorskip("schemathesis")
openapi_checks = pytest.importorskip("schemathesis.specs.openapi.checks")

EXAMPLES = int(os.environ.get("REGISTRY_SCHEMATHESIS_EXAMPLES", "25"))


def test_generated_requests_get_documented_answers_and_never_a_5xx(live: Live) -> None:
    schema = schemathesis.openapi.from_asgi("/api/schema/?format=json", live.client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            # Schema-valid bodies may still break a domain rule (a duplicate name, an unknown
            # id, a refused transition): a 400/409 for them is right, not a failure. The key
            # is passed as the explicit credentials: schemathesis then also sends the request
            # without it and with an invalid one, and expects a refusal.
            case.call_and_validate(
                headers=live.admin(), excluded_checks=[openapi_checks.positive_data_acceptance]
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


#: Examples per operation and key in the run on real resources (every key the operation takes,
#: plus none); ``REGISTRY_SCHEMATHESIS_REAL_EXAMPLES`` raises it.
REAL_EXAMPLES = int(os.environ.get("REGISTRY_SCHEMATHESIS_REAL_EXAMPLES", "4"))


def test_generated_requests_on_real_resources_under_every_key_get_documented_answers(
    live: Live,
) -> None:
    """Random path ids meet a 404 before any permission or body is looked at. Here every
    operation is also driven at real resources (a submission, its key, the reference records),
    once per credential: a full admin key, a read-only one, the submission's own key where the
    operation takes it, and none."""
    created = live.create()
    keys = live.client.get(f"/api/v1/submissions/{created['id']}/keys/", headers=live.admin())
    real = {
        "/api/v1/submissions/": {"id": created["id"], "key_id": str(keys.json()[0]["id"])},
        "/api/v1/categories/": {"id": str(live.category)},
        "/api/v1/service-centers/": {"id": live.centre},
        "/api/v1/pis/": {"id": live.pi},
    }
    credentials = {
        "admin": live.admin(),
        "admin-read": live.admin(full=False),
        "owner": live.owner(created),
        "none": {},
    }
    schema = schemathesis.openapi.from_asgi("/api/schema/?format=json", live.client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        ids = next((v for k, v in real.items() if operation.path.startswith(k)), {})
        takes = {name for scheme in operation.definition.raw.get("security", []) for name in scheme}
        for who, headers in credentials.items():
            if who == "owner" and "ApiKey" not in takes:
                continue
            try:
                _on_real_resources(operation, ids, headers)()
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path} as {who}: {exc}")
    assert not failures, "\n\n".join(failures)


def _on_real_resources(
    operation: Any, ids: dict[str, str], headers: dict[str, str]
) -> Callable[[], None]:
    """A hypothesis run of ``operation`` with its path ids replaced by ``ids``, as ``headers``."""

    @given(case=operation.as_strategy())
    @settings(max_examples=REAL_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        names = set(case.path_parameters or {})
        case.path_parameters = {
            **(case.path_parameters or {}),
            **{k: v for k, v in ids.items() if k in names},
        }
        case.call_and_validate(
            headers=headers, excluded_checks=[openapi_checks.positive_data_acceptance]
        )

    return run  # type: ignore[no-any-return]
