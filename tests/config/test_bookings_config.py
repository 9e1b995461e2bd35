"""`[bookings.<room>]`: defaults, feeds from the file, a variable or a file, and problems that
say what to fix without ever showing an export link (it carries a secret)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ttlock_bridge.cli import app
from ttlock_bridge.config import ConfigError, Problem, load_config
from ttlock_bridge.config.bookings import DEFAULT_IGNORE, feed_id, feed_label, feed_secrets

BASE = """
[property]
name = "Hotel Aurora"
timezone = "Europe/Athens"

[doors.main-entrance]
lock_id = 1000001
[doors.room-12]
lock_id = 1000002
[doors.room-14]
lock_id = 1000003

[rooms.room-12]
doors = ["room-12"]
shared_doors = ["main-entrance"]
[rooms.room-14]
doors = ["room-14"]
"""
AIRBNB = "https://www.airbnb.com/calendar/ical/1234567.ics?s=0123456789abcdef0123456789abcdef"
VRBO = "http://www.vrbo.com/icalendar/0123456789abcdef0123456789abcdef.ics"
BOOKING = "https://admin.booking.com/hotel/hoteladmin/ical.html?t=0123456789abcdef-secret"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return path


def problems_of(path: Path) -> dict[str, Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "0123456789abcdef" not in text  # no problem ever shows an export link
    return {problem.key: problem for problem in caught.value.problems}


def test_no_bookings_section_means_no_feeds(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).bookings == {}


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, f'[bookings.room-12]\nfeeds = ["{AIRBNB}"]\n'))

    settings = config.bookings["room-12"]
    assert settings.feeds == (AIRBNB,)
    assert (settings.poll, settings.lead_time) == (timedelta(minutes=15), timedelta(days=2))
    assert (settings.code, settings.name, settings.ignore) == (
        "generated",
        "{summary}",
        DEFAULT_IGNORE,
    )
    assert settings.before_arrival == settings.after_departure == timedelta(0)


def test_feeds_from_a_variable_and_a_file_join_those_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOM12_FEEDS", f"{VRBO}\n  {AIRBNB}  ")
    (tmp_path / "room-12.feeds").write_text(f"# Booking.com\n{BOOKING}\n\n", encoding="utf-8")
    text = (
        f'[bookings.room-12]\nfeeds = ["{AIRBNB}"]\nfeeds_env = "ROOM12_FEEDS"\n'
        'feeds_file = "room-12.feeds"\ncode = "phone_last4"\nbefore_arrival = 30\n'
        'poll = "30m"\nlead_time = "3d"\nname = "{summary} ({feed})"\nignore = ["Blocked"]\n'
    )

    settings = load_config(write(tmp_path, text)).bookings["room-12"]

    assert settings.feeds == (AIRBNB, VRBO, BOOKING)
    assert (settings.code, settings.before_arrival, settings.poll, settings.lead_time) == (
        "phone_last4",
        timedelta(minutes=30),
        timedelta(minutes=30),
        timedelta(days=3),
    )


def test_every_problem_is_said_and_no_link_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_FEEDS", raising=False)
    wrong_link = "ftp://example.com/0123456789abcdef"
    text = (
        '[bookings.room-14]\nfeeds_env = "NOT_SET_FEEDS"\nfeeds_file = "missing.feeds"\n'
        f'[bookings.room-99]\nfeeds = ["{AIRBNB}"]\n'
    )
    problems = problems_of(write(tmp_path, text))
    refused = problems_of(write(tmp_path, f'[bookings.room-12]\nfeeds = ["{wrong_link}"]\n'))

    assert refused["bookings.room-12.feeds[0]"].value == feed_label(wrong_link)
    assert feed_label(wrong_link) == f"ftp://example.com/…#{feed_id(wrong_link)[:8]}"
    assert "NOT_SET_FEEDS is not set" in problems["bookings.room-14.feeds_env"].message
    assert "file not found" in problems["bookings.room-14.feeds_file"].message
    assert "unknown room 'room-99'" in problems["bookings.room-99"].message


def test_one_feed_for_two_rooms_a_blank_pattern_bad_template_and_bounds(tmp_path: Path) -> None:
    text = f'[bookings.room-12]\nfeeds = ["{AIRBNB}"]\n[bookings.room-14]\nfeeds = ["{AIRBNB}"]\n'
    assert (
        "already feeds room 'room-12'"
        in problems_of(write(tmp_path, text))["bookings.room-14.feeds"].message
    )
    wrong = (
        f'[bookings.room-12]\nfeeds = ["{AIRBNB}"]\npoll = "20s"\nafter_departure = 2000\n'
        'name = "{summary.__class__}"\ncode = "last4"\n'
    )
    problems = problems_of(write(tmp_path, wrong))
    assert set(problems) == {
        "bookings.room-12.poll",
        "bookings.room-12.after_departure",
        "bookings.room-12.name",
        "bookings.room-12.code",
    }
    assert problems["bookings.room-12.poll"].message == "write a duration of at least 1m"
    assert "{summary}, {room}, {feed} only" in problems["bookings.room-12.name"].message
    blank = f'[bookings.room-12]\nfeeds = ["{AIRBNB}"]\nignore = [" "]\n'
    assert "blank" in problems_of(write(tmp_path, blank))["bookings.room-12.ignore"].message
    none = "[bookings.room-12]\n"
    assert "no feed" in problems_of(write(tmp_path, none))["bookings.room-12"].message


def test_labels_and_secrets_of_a_link() -> None:
    assert feed_label(AIRBNB) == f"https://www.airbnb.com/…#{feed_id(AIRBNB)[:8]}"
    assert feed_label("http://127.0.0.1:8081/r.ics?s=x").startswith("http://127.0.0.1:8081/…#")
    assert "0123456789abcdef0123456789abcdef" in feed_secrets(AIRBNB)[2]
    assert "/icalendar/0123456789abcdef0123456789abcdef.ics" in feed_secrets(VRBO)


def test_check_config_sums_the_feeds_up_without_links(tmp_path: Path) -> None:
    path = write(tmp_path, f'[bookings.room-12]\nfeeds = ["{AIRBNB}", "{VRBO}"]\n')

    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])

    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "bookings from 2 calendar feed(s) for 1 room(s) (room-12)" in said
    assert "0123456789abcdef" not in result.output


@pytest.mark.parametrize(
    "link", ["http://[::1/x?s=SECRETV6-0123", "http://127.0.0.1:99999/x?s=SECRETPORT-0123"]
)
def test_a_link_that_is_no_url_is_refused_without_repeating_it(tmp_path: Path, link: str) -> None:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(
        '[property]\nname = "X"\ntimezone = "Europe/Berlin"\n[doors.a]\nlock_id = 1000001\n'
        f'[rooms.r]\ndoors = ["a"]\n[bookings.r]\nfeeds = ["{link}"]\n'
    )

    with pytest.raises(ConfigError) as refused:
        load_config(path)

    said = " ".join(str(problem) for problem in refused.value.problems)
    assert "export link" in said
    assert "SECRET" not in said
