"""Read `ttlock-bridge.toml` into a `Config`, or explain every mistake in it at once."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ttlock_bridge.config.bookings import BookingSettings, feed_label, resolve_feeds
from ttlock_bridge.config.checks import cross_check
from ttlock_bridge.config.knx import (
    KnxDoorObjects,
    KnxOffsets,
    KnxRoomBlock,
    KnxSecure,
    KnxSettings,
)
from ttlock_bridge.config.models import (
    CloudSettings,
    Config,
    ConfigFile,
    ConsoleSettings,
    Defaults,
    Door,
    PropertySettings,
    Room,
    ServerSettings,
    StoreSettings,
)
from ttlock_bridge.config.mqtt import (
    PASSWORD_VARIABLE,
    MqttDoor,
    MqttSettings,
    MqttTls,
    resolve_tls_paths,
)
from ttlock_bridge.config.problems import ConfigError, Problem

DATABASE_FILE_NAME = "ttlock-bridge.db"

_SECTION_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): ConfigFile,
    ("property",): PropertySettings,
    ("defaults",): Defaults,
    ("doors", "*"): Door,
    ("rooms", "*"): Room,
    ("cloud",): CloudSettings,
    ("store",): StoreSettings,
    ("server",): ServerSettings,
    ("console",): ConsoleSettings,
    ("knx",): KnxSettings,
    ("knx", "secure"): KnxSecure,
    ("knx", "rooms", "*"): KnxRoomBlock,
    ("knx", "rooms", "*", "offsets"): KnxOffsets,
    ("knx", "doors", "*"): KnxDoorObjects,
    ("mqtt",): MqttSettings,
    ("mqtt", "tls"): MqttTls,
    ("mqtt", "doors", "*"): MqttDoor,
    ("bookings", "*"): BookingSettings,
}
_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_PATTERN_HINTS = {
    "^\\d{4,9}$": 'a code is 4-9 digits written as a string, e.g. "135790"',
    _NAME_PATTERN: (
        "names use letters, digits, '-' and '_' (at most 64, starting with a letter or digit)"
    ),
    "^https?://\\S+$": 'expected a URL like "https://euapi.ttlock.com"',
    "^[A-Za-z0-9_-]{16,128}$": (
        "a callback secret is 16-128 letters, digits, '-' or '_' (e.g. from `openssl rand -hex 16`)"
    ),
}


def load_config(path: Path) -> Config:
    """Parse and validate the file; raise `ConfigError` listing every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [
                Problem(
                    path,
                    "",
                    "file not found: write one from your TTLock account with `ttlock-bridge "
                    "init` (or by hand from ttlock-bridge.example.toml); `serve` also runs "
                    "without one when the four TTLOCK_* variables are set (zero-config mode)",
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([Problem(path, "", f"cannot read the file: {error}")]) from None
    return load_config_text(text, path)


def load_config_text(text: str, path: Path) -> Config:
    """Parse and validate configuration `text` as if it were the file at `path` (relative
    paths are relative to its folder; problems name it); raise `ConfigError` listing every
    problem found. Zero-config mode loads the configuration it assumed this way."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([Problem(path, "", f"not valid TOML: {error}")]) from None

    try:
        raw = ConfigFile.model_validate(document)
    except ValidationError as error:
        raise ConfigError([_explain(path, detail) for detail in error.errors()]) from None

    base = path.resolve().parent
    data_dir = base / raw.data_dir
    store_url, url_problem = _resolve_store_url(raw.store.url, data_dir, base, path)
    bookings: dict[str, BookingSettings] = {}
    feed_problems: list[Problem] = []
    for room, settings in raw.bookings.items():
        bookings[room], found = resolve_feeds(settings, room, path)
        feed_problems += found
    problems = (
        cross_check(raw, path, bookings) + feed_problems + ([url_problem] if url_problem else [])
    )
    if problems:
        raise ConfigError(problems)
    return Config(
        source=path,
        data_dir=data_dir,
        store_url=store_url,
        property=raw.property,
        defaults=raw.defaults,
        doors=raw.doors,
        rooms=raw.rooms,
        cloud=raw.cloud,
        server=raw.server,
        console=raw.console,
        knx=raw.knx,
        mqtt=resolve_tls_paths(raw.mqtt, base) if raw.mqtt else None,
        bookings=bookings,
    )


def _resolve_store_url(
    url: str | None, data_dir: Path, base: Path, path: Path
) -> tuple[str, Problem | None]:
    """Default to SQLite in the data directory; relative SQLite paths are relative to the file."""
    if url is None:
        return f"sqlite:///{data_dir / DATABASE_FILE_NAME}", None
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url, Problem(
            path,
            "store.url",
            'not a database URL: use "sqlite:///path/to/file.db" or '
            '"postgresql+psycopg://user@host/dbname"',
            url,
        )
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        parsed = parsed.set(database=str(base / database))
    return parsed.render_as_string(hide_password=False), None


def _explain(path: Path, detail: ErrorDetails) -> Problem:
    """Turn one pydantic error into a Problem with a TOML key path and advice."""
    location = tuple(detail["loc"])
    if "[key]" in location:
        where = location[: location.index("[key]")]
        return Problem(path, _key_path(where), _PATTERN_HINTS[_NAME_PATTERN], where[-1])
    key = _key_path(location)
    kind = detail["type"]
    if kind == "missing":
        return Problem(path, key, "required: add this key")
    if kind == "extra_forbidden" and location == ("mqtt", "password"):
        return Problem(  # the value is a secret: never repeated
            path, key, f"the broker password never goes in this file: export {PASSWORD_VARIABLE}"
        )
    if location[:1] == ("bookings",) and kind != "extra_forbidden":
        # an export link carries a secret: shown masked, and a section's whole input never
        shown = detail["input"]
        if "feeds" in location and isinstance(shown, str):
            return Problem(path, key, _advice(detail), feed_label(shown))
        if isinstance(shown, dict | list | tuple):
            return Problem(path, key, _advice(detail))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(location[:-1])
        return Problem(
            path,
            key,
            f"unknown key: remove it or fix its spelling (allowed here: {allowed})",
            detail["input"],
        )
    return Problem(path, key, _advice(detail), detail["input"])


_TYPE_HINTS = {
    "bool_type": ": true or false, without quotes",
    "int_type": ": a whole number, without quotes",
}
"""What to write instead, for a value of the wrong TOML type (`"yes"`, `"1883"`)."""


def _advice(detail: ErrorDetails) -> str:
    if detail["type"] == "value_error":
        return detail["msg"].removeprefix("Value error, ")
    pattern = (detail.get("ctx") or {}).get("pattern")
    if isinstance(pattern, str) and pattern in _PATTERN_HINTS:
        return _PATTERN_HINTS[pattern]
    hint = _TYPE_HINTS.get(detail["type"], "")
    return f"{detail['msg'][:1].lower()}{detail['msg'][1:]}{hint}"


def _allowed_keys(section: Sequence[int | str]) -> str:
    shape = tuple(
        "*" if index > 0 and section[index - 1] in ("doors", "rooms", "bookings") else str(part)
        for index, part in enumerate(section)
    )
    model = _SECTION_MODELS.get(shape)
    if model is None:
        return "see docs/configuration.md"
    return ", ".join(model.model_fields)


def _key_path(location: Sequence[int | str]) -> str:
    """`("rooms", "room-3", "doors", 1)` -> `rooms.room-3.doors[1]`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if _is_bare_key(part) else f'"{part}"'
            text += f".{name}" if text else name
    return text


def _is_bare_key(part: str) -> bool:
    return bool(part) and all(char.isalnum() or char in "-_" for char in part)
