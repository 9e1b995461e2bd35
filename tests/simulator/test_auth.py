"""Authentication, envelopes and transport conventions of the simulated cloud, over HTTP."""

import email.utils

import httpx
import pytest

from conftest import RunningSimulator
from simulator.client import MAIN_ENTRANCE, Caller, login, md5, now_ms

WRONG_TYPE = (
    "invalid_request, Bad request content type. Expecting: application/x-www-form-urlencoded"
)


def test_password_grant_returns_the_documented_token_fields(simulator: RunningSimulator) -> None:
    body = login(simulator.base_url)
    assert list(body) == [
        "access_token",
        "refresh_token",
        "uid",
        "openid",
        "scope",
        "token_type",
        "expires_in",
    ]
    for name in ("access_token", "refresh_token"):
        assert len(body[name]) == 32
        assert body[name] == body[name].lower()
        int(body[name], 16)
    assert body["scope"] == "user,key,room"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 7_776_000
    assert simulator.state()["token_grants"] == {"password": 1, "refresh_token": 0}


def test_snake_case_aliases_and_query_string_credentials_are_accepted(
    simulator: RunningSimulator,
) -> None:
    params = {
        "client_id": "demo-client-id",
        "client_secret": "demo-client-secret",
        "grant_type": "password",
        "username": "demo@example.com",
        "password": md5("demo-password"),
        "redirect_uri": "http://localhost",
    }
    response = httpx.post(
        f"{simulator.base_url}/oauth2/token",
        params=params,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "access_token" in response.json()


@pytest.mark.parametrize(
    ("overrides", "errcode"),
    [
        ({"client_id": "nobody"}, 10000),
        ({"client_secret": "wrong"}, 10001),
        ({"password": md5("wrong")}, 10007),
        ({"username": "stranger@example.com"}, 10007),
        ({"password": "demo-password"}, 30005),
    ],
)
def test_bad_logins_answer_http_200_with_the_errcode(
    simulator: RunningSimulator, overrides: dict[str, str], errcode: int
) -> None:
    form = {
        "client_id": "demo-client-id",
        "client_secret": "demo-client-secret",
        "username": "demo@example.com",
        "password": md5("demo-password"),
        **overrides,
    }
    response = httpx.post(f"{simulator.base_url}/oauth2/token", data=form)
    assert response.status_code == 200
    body = response.json()
    assert body["errcode"] == errcode
    assert set(body) == {"errcode", "errmsg", "description"}


def test_a_json_body_is_refused_with_the_oauth_content_type_message(
    simulator: RunningSimulator,
) -> None:
    response = httpx.post(
        f"{simulator.base_url}/oauth2/token",
        json={"clientId": "demo-client-id", "clientSecret": "demo-client-secret"},
    )
    assert response.status_code == 200
    assert response.json()["errmsg"] == WRONG_TYPE
    assert response.json()["errcode"] == -3


def test_refresh_rotates_both_tokens_and_retires_the_old_access_token(
    simulator: RunningSimulator,
) -> None:
    first = login(simulator.base_url)
    refreshed = httpx.post(
        f"{simulator.base_url}/oauth2/token",
        data={
            "clientId": "demo-client-id",
            "clientSecret": "demo-client-secret",
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
        },
    ).json()
    assert "uid" not in refreshed
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert Caller(simulator, first["access_token"]).get("/v3/lock/list")["errcode"] == (10004)
    assert "list" in Caller(simulator, refreshed["access_token"]).get("/v3/lock/list")
    again = httpx.post(
        f"{simulator.base_url}/oauth2/token",
        data={
            "clientId": "demo-client-id",
            "clientSecret": "demo-client-secret",
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
        },
    ).json()
    assert again["errcode"] == 10011
    assert simulator.state()["token_grants"] == {"password": 1, "refresh_token": 2}


def test_tokens_expire_after_expires_in_of_simulated_time(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    advanced = simulator.control("clock", {"advance_ms": 7_776_000_000 - 60_000})
    caller.date_offset_ms = advanced["now_ms"] - now_ms()
    assert "list" in caller.get("/v3/lock/list")
    simulator.control("clock", {"advance_ms": 120_000})
    caller.date_offset_ms += 120_000
    assert caller.get("/v3/lock/list")["errcode"] == 10004


def test_control_api_expires_tokens_and_revokes_refresh_tokens(
    simulator: RunningSimulator,
) -> None:
    tokens = login(simulator.base_url)
    caller = Caller(simulator, tokens["access_token"])
    simulator.control("tokens/expire")
    assert caller.get("/v3/lock/list")["errcode"] == 10004
    simulator.control("tokens/revoke-refresh")
    refreshed = httpx.post(
        f"{simulator.base_url}/oauth2/token",
        data={
            "clientId": "demo-client-id",
            "clientSecret": "demo-client-secret",
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert refreshed["errcode"] == 10011


def test_a_changed_password_refuses_the_old_one(simulator: RunningSimulator) -> None:
    simulator.control("users/demo@example.com/password", {"password": "new-secret"})
    assert login(simulator.base_url)["errcode"] == 10007
    assert "access_token" in login(simulator.base_url, password="new-secret")


def test_unknown_token_client_and_skewed_date_are_refused(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    assert Caller(simulator, "0" * 32).get("/v3/lock/list")["errcode"] == 10003
    caller.date_offset_ms = 6 * 60 * 1000
    assert caller.get("/v3/lock/list")["errcode"] == 80000
    caller.date_offset_ms = 4 * 60 * 1000
    assert "list" in caller.get("/v3/lock/list")
    caller.client_id = "nobody"
    assert caller.get("/v3/lock/list")["errcode"] == 10000


def test_date_header_follows_the_simulated_clock(simulator: RunningSimulator) -> None:
    target_ms = 1_795_860_000_000
    simulator.control("clock", {"now_ms": target_ms})
    response = httpx.get(f"{simulator.base_url}/_sim/state")
    header_ms = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp() * 1000
    assert abs(header_ms - target_ms) < 60_000
    assert len(response.headers.get_list("date")) == 1
    caller = Caller(simulator)
    assert caller.get("/v3/lock/list")["errcode"] == 80000
    caller.date_offset_ms = target_ms - now_ms()
    assert "list" in caller.get("/v3/lock/list")


def test_get_and_post_merge_query_and_form_parameters(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    signed = caller.signed({})
    response = httpx.post(
        f"{simulator.base_url}/v3/lock/detail", params=signed, data={"lockId": str(MAIN_ENTRANCE)}
    )
    assert response.json()["lockId"] == MAIN_ENTRANCE
    assert caller.get("/v3/lock/detail", lockId=MAIN_ENTRANCE)["lockId"] == MAIN_ENTRANCE


def test_user_register_prefixes_the_name_and_refuses_bad_or_taken_names(
    simulator: RunningSimulator,
) -> None:
    def register(username: str, password: str = md5("guest-password")) -> dict[str, object]:
        response = httpx.post(
            f"{simulator.base_url}/v3/user/register",
            data={
                "clientId": "demo-client-id",
                "clientSecret": "demo-client-secret",
                "username": username,
                "password": password,
                "date": str(now_ms()),
            },
        )
        body: dict[str, object] = response.json()
        return body

    assert register("frontdesk1") == {"username": "bridge_frontdesk1"}
    assert register("frontdesk1")["errcode"] == 30003
    assert register("front-desk")["errcode"] == 30002
    assert register("plain", password="not-an-md5")["errcode"] == 30005
    assert "access_token" in login(simulator.base_url, "bridge_frontdesk1", "guest-password")


def test_every_call_is_counted_per_path(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    caller.get("/v3/lock/list")
    caller.get("/v3/lock/list")
    caller.get("/v3/lock/detail", lockId=MAIN_ENTRANCE)
    calls = simulator.state()["calls"]
    assert calls == {"/oauth2/token": 1, "/v3/lock/list": 2, "/v3/lock/detail": 1}
