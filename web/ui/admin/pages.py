"""What every admin page shares: rendering inside the admin layout, never cached, with the
signed-in admin, the CSRF token and the session's banners (spec/ui.md §5.7, §8)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar, TypeVarTuple

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.context import Context, in_read_thread
from web.ports import Recorded
from web.ui.admin.access import Admin, AdminAccess, Role
from web.ui.render import Renderer

_Gate = ParamSpec("_Gate")
_Found = TypeVarTuple("_Found")
_Pages = TypeVar("_Pages", bound="AdminPages")
#: A page handler given what its gate found, and the endpoint the route calls.
_Handler = Callable[[_Pages, Request, *_Found], Awaitable[Response]]
_Endpoint = Callable[[_Pages, Request], Awaitable[Response]]


def gated(
    gate: Callable[Concatenate[Any, Request, _Gate], Awaitable[tuple[*_Found] | Response]],
    *args: _Gate.args,
    **kwargs: _Gate.kwargs,
) -> Callable[[_Handler[_Pages, *_Found]], _Endpoint[_Pages]]:
    """The endpoint of ``handler(self, request, *found)``: ``gate(self, request, *args,
    **kwargs)`` answers (the sign-in redirect, 403, 404 …) or finds what the handler needs (the
    admin first); the handler runs only then."""

    def wrap(handler: _Handler[_Pages, *_Found]) -> _Endpoint[_Pages]:
        @functools.wraps(handler)
        async def endpoint(self: _Pages, request: Request) -> Response:
            found = await gate(self, request, *args, **kwargs)
            if isinstance(found, Response):
                return found
            return await handler(self, request, *found)

        return endpoint

    return wrap


def requires(role: Role) -> Callable[[_Handler[_Pages, Admin]], _Endpoint[_Pages]]:
    """The endpoint of ``handler(self, request, admin)``, for an admin with at least ``role``."""
    return gated(AdminPages.signed_in, role)


class AdminPages:
    """Base of the admin page groups: the context, renderer and gate."""

    def __init__(self, ctx: Context, renderer: Renderer, access: AdminAccess) -> None:
        self.ctx = ctx
        self.renderer = renderer
        self.access = access

    async def signed_in(self, request: Request, role: Role) -> tuple[Admin] | Response:
        """The admin with at least ``role``; else the sign-in redirect or 403."""
        admin = await self.access.require(request, role)
        return admin if isinstance(admin, Response) else (admin,)

    async def render(
        self,
        request: Request,
        admin: Admin | None,
        template: str,
        context: Mapping[str, Any],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """An admin page (``no-store``), with the banners queued for this session."""
        banners = await in_read_thread(lambda: self.access.take_flash(request)) if admin else []
        values: dict[str, Any] = {"admin": admin, "banners": banners, "section": ""}
        if admin is not None:
            values["csrf_token"] = admin.csrf_token
            values["idle_seconds"] = self.renderer.settings.ui_admin_idle_seconds
            values["warn_before"] = self.renderer.settings.ui_warn_before_seconds
        values.update(context)
        return self.renderer.page(
            request, template, values, status=status, private=True, headers=headers
        )

    async def back(self, request: Request, admin: Admin, target: str, banner: str) -> Response:
        """``303`` to ``target`` with a banner for the next page."""
        await in_read_thread(lambda: self.access.flash(request, admin, banner))
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})

    def status_command(
        self,
        admin: Admin,
        sid: uuid.UUID,
        target: str,
        comment: str,
        expected_version: int | None,
    ) -> functools.partial[Recorded]:
        """The command moving ``sid`` to status ``target`` as ``admin`` (the detail page's
        status panel and the list's bulk action)."""
        return functools.partial(
            self.ctx.registry.change_status,
            sid,
            target,
            actor=admin.actor,
            by_admin=True,
            comment=comment,
            expected_version=expected_version,
        )

    def maturity_command(
        self,
        admin: Admin,
        sid: uuid.UUID,
        primary: str | None,
        secondary: list[str],
        expected_version: int | None,
    ) -> functools.partial[Recorded]:
        """The command setting the maturity tags of ``sid`` as ``admin`` (detail and bulk)."""
        return functools.partial(
            self.ctx.registry.assign_maturity_tags,
            sid,
            primary,
            secondary,
            actor=admin.actor,
            expected_version=expected_version,
        )
