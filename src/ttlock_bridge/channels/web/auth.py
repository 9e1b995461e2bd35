"""Who is signed in: the session cookie, the CSRF token of every state-changing form, roles.

- The session cookie is HttpOnly and SameSite=Strict, and Secure when the request came over
  HTTPS; the bearer API token opens nothing here.
- Every POST carries `csrf_token`: the session's token, or before sign-in the value of a
  short-lived cookie the sign-in page set (double submit). A form without it is refused (403)
  before anything is read from or written to the access core.
- Pages for admins refuse desk accounts (403).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Final

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ttlock_bridge.channels.web.desk import DeskDep
from ttlock_bridge.channels.web.render import PagesDep, Screen
from ttlock_bridge.operations.sessions import SignedIn
from ttlock_bridge.store import OperatorRole

SESSION_COOKIE: Final = "ttlock_bridge_session"
SIGN_IN_COOKIE: Final = "ttlock_bridge_sign_in"
SIGN_IN_COOKIE_SECONDS: Final = 3600
MAX_FIELD_CHARS: Final = 1000


class SignInNeeded(Exception):
    """No session, or it expired or was closed: the browser goes to the sign-in page."""


class Refused(Exception):
    """Signed in, but not allowed: a form without its CSRF token, or an admin page (403)."""


async def signed_in(request: Request, desk: DeskDep) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    found = await desk.run(desk.sessions.find, token) if token else None
    if found is None:
        raise SignInNeeded
    return found


Operator = Annotated[SignedIn, Depends(signed_in)]


async def operator_screen(request: Request, operator: Operator, render: PagesDep) -> Screen:
    """Rendering for this request by the signed-in operator."""
    return Screen(request, render, operator)


OperatorScreen = Annotated[Screen, Depends(operator_screen)]


async def admin(operator: Operator) -> SignedIn:
    if operator.role is not OperatorRole.ADMIN:
        raise Refused("this page is for admin accounts")
    return operator


Admin = Annotated[SignedIn, Depends(admin)]


async def checked_form(request: Request, operator: Operator) -> FormData:
    """The POSTed form when it carries the session's CSRF token; else `Refused`."""
    form = await request.form()
    if not same(form.get("csrf_token"), operator.csrf_token):
        raise Refused("this form has no valid security token: reload the page and try again")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def same(offered: object, expected: str) -> bool:
    """Constant-time comparison of a form value with the expected token."""
    text = offered if isinstance(offered, str) else ""
    return secrets.compare_digest(text.encode(), expected.encode())


def field(form: FormData, name: str) -> str:
    """A text field, stripped and cut at `MAX_FIELD_CHARS` ("" when absent or a file)."""
    value = form.get(name)
    return value.strip()[:MAX_FIELD_CHARS] if isinstance(value, str) else ""


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """A cookie only this site's pages send back: HttpOnly, SameSite=Strict, path `/`, and
    Secure when the request came over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
