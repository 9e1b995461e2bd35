"""`/signin` and `/signout`: a name and password against the operator accounts, throttled."""

from __future__ import annotations

import math
import secrets

from fastapi import APIRouter, Request
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

router = APIRouter(include_in_schema=False)


@router.get("/signin")
async def sign_in_page(request: Request, desk: DeskDep, render: PagesDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and await desk.run(desk.sessions.find, token) is not None:
        return RedirectResponse("/", status_code=303)
    return _form(request, render)


@router.post("/signin")
async def sign_in(request: Request, desk: DeskDep, render: PagesDep) -> Response:
    form = await request.form()
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not same(form.get("csrf_token"), expected):
        raise Refused("the sign-in form has expired or was not sent by this site: sign in again")
    name, password = field(form, "name"), form.get("password")
    address = request.client.host if request.client else "unknown"
    wait_ms = desk.throttle.wait_ms(name, address)
    if wait_ms:
        seconds = math.ceil(wait_ms / 1000)
        error = f"Too many failed sign-ins: try again in {seconds} s."
        return _form(request, render, name=name, error=error, status_code=429)
    account = (
        await desk.run(desk.accounts.verify, name, password)
        if name and isinstance(password, str)
        else None
    )
    if account is None:
        desk.throttle.failed(name, address)
        error = "Wrong name or password."
        return _form(request, render, name=name, error=error, status_code=401)
    desk.throttle.succeeded(name, address)
    token, session = await desk.run(desk.sessions.open, account.name)
    await desk.record(account.name, "signed_in")
    response = RedirectResponse("/", status_code=303)
    lifetime_s = (session.expires_at_ms - desk.clock()) // 1000
    set_cookie(request, response, SESSION_COOKIE, token, lifetime_s)
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


def _form(
    request: Request,
    render: Pages,
    *,
    name: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The sign-in page with a fresh double-submit token in its form and its cookie."""
    token = secrets.token_urlsafe(32)
    response = render.render(
        request, "signin.html", csrf_token=token, name=name, error=error, status_code=status_code
    )
    set_cookie(request, response, SIGN_IN_COOKIE, token, SIGN_IN_COOKIE_SECONDS)
    return response
