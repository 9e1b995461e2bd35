"""The file token store: private (0600), atomic, and forgiving of unreadable leftovers."""

import os
import stat
from pathlib import Path

from ttlock_bridge.cloud.tokens import FileTokenStore, StoredToken

TOKEN = StoredToken(
    username="demo@example.com",
    access_token="a" * 32,
    refresh_token="r" * 32,
    issued_at_ms=1_000,
    expires_at_ms=7_776_001_000,
    uid=42,
)


async def test_a_saved_token_loads_back_from_a_file_only_its_owner_can_read(
    tmp_path: Path,
) -> None:
    store = FileTokenStore(tmp_path / "data" / "ttlock-token.json")
    assert await store.load() is None
    await store.save(TOKEN)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert await FileTokenStore(store.path).load() == TOKEN


async def test_saving_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "ttlock-token.json")
    await store.save(TOKEN)
    renewed = TOKEN.model_copy(update={"access_token": "b" * 32})
    await store.save(renewed)
    assert await store.load() == renewed
    assert os.listdir(tmp_path) == ["ttlock-token.json"]


async def test_an_unreadable_file_counts_as_no_token_and_clear_removes_it(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "ttlock-token.json")
    store.path.write_text("{not json")
    assert await store.load() is None
    await store.clear()
    assert not store.path.exists()
    await store.clear()  # clearing twice is fine
