"""`ttlock-bridge bookings sync [--dry-run]` and `bookings list`, run as a person would against
a simulated account and a feed on loopback; links never printed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from access.conftest import HOTEL_TOML, MAIN_ENTRANCE, ROOM_1
from access.test_grants_cli import _bridge, _on_lock
from bookings.feeds import EXPORT_SECRET, airbnb, airbnb_reservation, feed_server
from conftest import RunningSimulator


def test_a_dry_run_then_a_sync_then_the_list(simulator: RunningSimulator, tmp_path: Path) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    with feed_server() as feeds:
        feeds.set("r1.ics", airbnb(airbnb_reservation("hm7", tomorrow, tomorrow + timedelta(2))))
        config = tmp_path / "ttlock-bridge.toml"
        config.write_text(
            HOTEL_TOML
            + f'\n[cloud]\napi_base = "{simulator.base_url}"\n'
            + f'\n[bookings.room-1]\nfeeds = ["{feeds.url("r1.ics")}"]\n'
        )

        dry = _bridge(config, "bookings", "sync", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "would create a grant" in dry.stdout
        assert "hm7@airbnb.com" in dry.stdout
        assert _on_lock(simulator, ROOM_1) == []

        done = _bridge(config, "bookings", "sync")
        assert done.returncode == 0, done.stderr
        assert "create" in done.stdout
        [code] = _on_lock(simulator, ROOM_1)
        assert _on_lock(simulator, MAIN_ENTRANCE) == [code]

        again = _bridge(config, "bookings", "sync")
        assert "Nothing to do" in again.stdout
        listed = _bridge(config, "bookings", "list")
        assert listed.returncode == 0, listed.stderr
        assert "hm7@airbnb.com" in listed.stdout
        assert "active" in listed.stdout

        feeds.set("r1.ics", b"<html>expired</html>", content_type="text/html")
        failed = _bridge(config, "bookings", "sync")
        assert failed.returncode == 1
        assert "an HTML page" in failed.stderr
        assert "grants stay as they are" in failed.stderr
        for output in (dry, done, again, listed, failed):
            assert EXPORT_SECRET not in output.stdout + output.stderr


def test_serve_redacts_every_feed_link_from_its_logs(tmp_path: Path) -> None:
    import logging

    from ttlock_bridge.cli.serve import secret_values
    from ttlock_bridge.cloud import Credentials
    from ttlock_bridge.config import load_config
    from ttlock_bridge.operations.logs import RedactingFormatter

    link = f"https://www.airbnb.com/calendar/ical/1234567.ics?s={EXPORT_SECRET}"
    config = tmp_path / "ttlock-bridge.toml"
    config.write_text(HOTEL_TOML + f'\n[bookings.room-1]\nfeeds = ["{link}"]\n')
    credentials = Credentials.with_password("id", "client-secret-1", "user", "password-1")
    formatter = RedactingFormatter(secret_values(load_config(config), credentials, "tok-123456"))

    for message in (f"GET {link} failed", f"query s={EXPORT_SECRET}", f"token {EXPORT_SECRET}"):
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, message, None, None)
        assert EXPORT_SECRET not in formatter.format(record)
