"""The pagination envelope of every TTLock list endpoint (reference §2.4)."""

from collections.abc import Sequence

from ttlock_bridge.simulator.errors import ApiError


def page_of(
    items: Sequence[dict[str, object]], page_no: int, page_size: int, max_page_size: int
) -> dict[str, object]:
    """`{total, pages, pageNo, pageSize, list}` in the key order the real cloud uses."""
    if page_no < 1 or not 1 <= page_size <= max_page_size:
        raise ApiError(-3)
    total = len(items)
    first = (page_no - 1) * page_size
    return {
        "total": total,
        "pages": -(-total // page_size),
        "pageNo": page_no,
        "pageSize": page_size,
        "list": list(items[first : first + page_size]),
    }
