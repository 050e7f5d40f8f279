"""Commands on one submission beyond PATCH: status, maturity tags, keys; and its history (an
erased submission's too, redacted: ``docs/erasure.md``)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schema.api.commands import KeyRequest, MaturityTags, StatusChange
from web.auth import Principal, require_admin, require_key_manager, require_owner_or_admin
from web.body import parse_body, parse_uuid
from web.context import Context, bound, expected_version, json
from web.endpoints.submissions import KEY_WARNING, absent, write_submission, written_response
from web.ports import Doc, KeyResult, Recorded

#: Projections a key command must be visible in before answering (auth reads ``api_keys``).
KEY_PROJECTIONS = ("api_keys", "submission_history")


def routes(ctx: Context) -> list[BaseRoute]:
    """The lifecycle routes bound to ``ctx``."""

    base = "/api/v1/submissions/{id}/"
    return [
        Route(base + "status/", bound(ctx, change_status), methods=["POST"]),
        Route(base + "maturity/", bound(ctx, assign_maturity), methods=["PUT"]),
        Route(base + "keys/", bound(ctx, keys), methods=["GET", "POST"]),
        Route(base + "keys/reset/", bound(ctx, reset_keys), methods=["POST"]),
        Route(
            base + "keys/{key_id}/revoke/",
            bound(ctx, revoke_key),
            methods=["POST"],
        ),
        Route(base + "history/", bound(ctx, history), methods=["GET"]),
    ]


async def change_status(ctx: Context, request: Request) -> Response:
    """Move the submission; admins any allowed way, the owner (write key) only to deprecated."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_owner_or_admin(await ctx.caller(request), submission_id, write=True)
    body = await parse_body(request, StatusChange, ctx.settings.max_body_bytes)
    actor = caller.admin_actor if caller.is_admin else caller.actor
    command = functools.partial(
        ctx.registry.change_status,
        submission_id,
        body.status,
        actor=actor,
        by_admin=caller.is_admin,
        comment=body.comment,
        expected_version=expected_version(request),
    )
    written = await write_submission(ctx, command, lambda _: submission_id)
    return written_response(ctx, request, written, submission_id)


async def assign_maturity(ctx: Context, request: Request) -> Response:
    """Set or clear the maturity tags (full admin key)."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_admin(await ctx.caller(request), write=True)
    body = await parse_body(request, MaturityTags, ctx.settings.max_body_bytes)
    command = functools.partial(
        ctx.registry.assign_maturity_tags,
        submission_id,
        body.primary,
        list(body.secondary),
        actor=caller.admin_actor,
        expected_version=expected_version(request),
    )
    written = await write_submission(ctx, command, lambda _: submission_id)
    return written_response(ctx, request, written, submission_id)


async def keys(ctx: Context, request: Request) -> Response:
    """List the keys (GET) or issue one (POST); full admin key."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_key_manager(await ctx.caller(request))
    if request.method == "GET":
        await _existing(ctx, submission_id)
        return json(await ctx.call(ctx.read.keys_of, submission_id))
    body = await parse_body(request, KeyRequest, ctx.settings.max_body_bytes)
    issue = functools.partial(
        ctx.registry.issue_key, submission_id, body.label, body.scope, actor=caller.admin_actor
    )
    return await _issued(ctx, submission_id, issue, body.label, body.scope)


async def reset_keys(ctx: Context, request: Request) -> Response:
    """Revoke every key and issue one write key; 201 with its plaintext."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_key_manager(await ctx.caller(request))
    reset = functools.partial(ctx.registry.reset_keys, submission_id, actor=caller.admin_actor)
    return await _issued(ctx, submission_id, reset, None, "write")


async def revoke_key(ctx: Context, request: Request) -> Response:
    """Revoke one key; 200 with the key as now listed."""
    submission_id = parse_uuid(request.path_params["id"])
    key_id = parse_uuid(request.path_params["key_id"])
    caller = require_key_manager(await ctx.caller(request))
    revoke = functools.partial(
        ctx.registry.revoke_key, submission_id, key_id, actor=caller.admin_actor
    )

    def listed(_: Recorded) -> Doc | None:
        key = _key(ctx, submission_id, key_id)
        return key if key is not None and not key.get("is_active") else None  # else: lagging

    written = await ctx.write(
        revoke, KEY_PROJECTIONS, listed, read_checks=True, subject=lambda _: submission_id
    )
    out = written.doc or {"id": str(key_id), "is_active": False}
    return json(out, headers=written.headers)


async def history(ctx: Context, request: Request) -> Response:
    """Every recorded change of the submission, oldest first (owner or admin)."""
    submission_id = parse_uuid(request.path_params["id"])

    def read(caller: Principal | None) -> bytes | None:
        require_owner_or_admin(caller, submission_id)
        # The read side builds the JSON: a long history passes through as one value.
        return ctx.read.history_json(submission_id)

    body = await ctx.authorized(request, read)
    if body is None:
        raise await absent(ctx, submission_id)
    return Response(body, media_type="application/json")


async def _existing(ctx: Context, submission_id: uuid.UUID) -> Doc:
    doc = await ctx.call(ctx.read.submission, submission_id)
    if doc is None:
        raise await absent(ctx, submission_id)
    return doc


def _key(ctx: Context, submission_id: uuid.UUID, key_id: uuid.UUID) -> Doc | None:
    for key in ctx.read.keys_of(submission_id):
        if str(key.get("id")) == str(key_id):
            return key
    return None


async def _issued(
    ctx: Context,
    submission_id: uuid.UUID,
    command: Callable[[], KeyResult],
    label: str | None,
    scope: str,
) -> Response:
    """201 with the new key; the plaintext is never lost, even when the read side lags or
    cannot be read (then the key is described from the command: ``Read-Your-Writes``)."""
    written = await ctx.write(
        command,
        KEY_PROJECTIONS,
        lambda done: _key(ctx, submission_id, done.key_id),
        read_checks=True,  # a key listed is the new one
        subject=lambda _: submission_id,
    )
    result = written.result
    listed = written.doc or {
        "id": result.key_id,
        "label": label,
        "scope": scope,
        "is_active": True,
        "created_at": None,
    }
    out = {name: listed.get(name) for name in ("id", "label", "scope", "is_active", "created_at")}
    out["api_key"] = result.api_key
    out["api_key_warning"] = KEY_WARNING
    return json(out, 201, headers=written.headers)
