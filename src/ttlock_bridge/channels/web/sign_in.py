"""`/signin` and `/signout`: a name and password against the operator accounts, throttled.

Each try is reserved with the throttle before its password is checked (see
`operations.throttle`); a failed try and a refused one are logged (`event=signin_failed`,
`event=signin_throttled`) with the name as typed (`shown_name`) and the client's address, never
the password. The journal records only operators' actions, so these are logged only.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ttlock_bridge.channels.web.auth import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SIGN_IN_COOKIE_SECONDS,
    CheckedForm,
    Operator,
    Refused,
    field,
    same,
    set_cookie,
)
from ttlock_bridge.channels.web.desk import DeskDep
from ttlock_bridge.channels.web.render import Pages, PagesDep
from ttlock_bridge.operations.accounts import shown_name
from ttlock_bridge.operations.throttle import KNOWN_BROWSER_NAMES

log = logging.getLogger("ttlock_bridge.console")
router = APIRouter(include_in_schema=False)

KNOWN_COOKIE: Final = "ttlock_bridge_known"
"""The names this browser signed in as (`SignInThrottle.known_browser_token`), dot-separated."""
KNOWN_COOKIE_SECONDS: Final = 365 * 86_400
MAX_NEXT_CHARS: Final = 2000
_FORM_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{43}")
"""A sign-in form token as `_form` makes them (`secrets.token_urlsafe(32)`)."""
_KNOWN_TOKEN: Final = re.compile(r"[0-9a-f]{32}")


def safe_next(text: str | None) -> str:
    """Where to go after signing in: `text` when it is a path on this site (one "/" first,
    then printable ASCII without backslashes, at most `MAX_NEXT_CHARS`), else "/". Never
    `//host`, `/\\host` or `scheme:...`, which a browser would read as another site."""
    if (
        not text
        or len(text) > MAX_NEXT_CHARS
        or not text.startswith("/")
        or text.startswith(("//", "/\\"))
        or "\\" in text
        or not all("!" <= character <= "~" for character in text)
    ):
        return "/"
    return text


@router.get("/signin")
async def sign_in_page(
    request: Request,
    desk: DeskDep,
    render: PagesDep,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    where = safe_next(next_path)
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and await desk.run(desk.sessions.find, token) is not None:
        return RedirectResponse(where, status_code=303)
    return _form(request, render, next_path=where)


@router.post("/signin")
async def sign_in(request: Request, desk: DeskDep, render: PagesDep) -> Response:
    form = await request.form()
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not same(form.get("csrf_token"), expected):
        raise Refused("the sign-in form has expired or was not sent by this site: sign in again")
    name, password = field(form, "name"), form.get("password")
    where = safe_next(field(form, "next"))
    address = request.client.host if request.client else "unknown"
    known = _known_tokens(request)
    known_browser = desk.throttle.is_known_browser(name, known)
    wait_ms = desk.throttle.reserve(name, address, known_browser=known_browser)
    if wait_ms:
        seconds = math.ceil(wait_ms / 1000)
        log.warning(
            "event=signin_throttled operator=%s address=%s wait_s=%d",
            shown_name(name),
            address,
            seconds,
        )
        error = f"Too many failed sign-ins: try again in {seconds} s."
        return _form(request, render, name=name, next_path=where, error=error, status_code=429)
    account = (
        await desk.run(desk.accounts.verify, name, password)
        if name and isinstance(password, str)
        else None
    )
    if account is None:
        desk.throttle.failed(name, address)
        log.warning("event=signin_failed operator=%s address=%s", shown_name(name), address)
        error = "Wrong name or password."
        return _form(request, render, name=name, next_path=where, error=error, status_code=401)
    desk.throttle.succeeded(name, address)
    token, session = await desk.run(desk.sessions.open, account.name)
    await desk.record(account.name, "signed_in")
    response = RedirectResponse(where, status_code=303)
    lifetime_s = (session.expires_at_ms - desk.clock()) // 1000
    set_cookie(request, response, SESSION_COOKIE, token, lifetime_s)
    mine = desk.throttle.known_browser_token(account.name)
    remembered = [mine, *(each for each in known if each != mine)][:KNOWN_BROWSER_NAMES]
    set_cookie(request, response, KNOWN_COOKIE, ".".join(remembered), KNOWN_COOKIE_SECONDS)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/signout")
async def sign_out(
    request: Request, desk: DeskDep, operator: Operator, _form: CheckedForm
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    await desk.run(desk.sessions.close, token)
    await desk.record(operator.operator, "signed_out")
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _known_tokens(request: Request) -> list[str]:
    """The known-browser tokens the browser sent (well-formed ones only)."""
    text = request.cookies.get(KNOWN_COOKIE, "")
    tokens = [each for each in text.split(".") if _KNOWN_TOKEN.fullmatch(each)]
    return tokens[:KNOWN_BROWSER_NAMES]


def _form(
    request: Request,
    render: Pages,
    *,
    name: str = "",
    next_path: str = "/",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The sign-in page with the browser's double-submit token in its form and its cookie: the
    one it holds when well-formed (a second tab's sign-in page must not void the first's),
    else a fresh one."""
    held = request.cookies.get(SIGN_IN_COOKIE, "")
    token = held if _FORM_TOKEN.fullmatch(held) else secrets.token_urlsafe(32)
    response = render.render(
        request,
        "signin.html",
        csrf_token=token,
        name=name,
        next_path=next_path,
        error=error,
        status_code=status_code,
    )
    set_cookie(request, response, SIGN_IN_COOKIE, token, SIGN_IN_COOKIE_SECONDS)
    return response
