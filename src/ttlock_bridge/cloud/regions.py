"""Which TTLock host to talk to. User data lives in one region; the wrong host refuses it."""

REGIONS = {
    "eu": "https://euapi.ttlock.com",
    "global": "https://api.ttlock.com",
    "cn": "https://cnapi.ttlock.com",
}
DEFAULT_REGION = "eu"


def api_base(region_or_url: str) -> str:
    """The base URL for a region name (eu, global, cn) or an explicit http(s) URL."""
    if region_or_url.startswith(("http://", "https://")):
        return region_or_url.rstrip("/")
    try:
        return REGIONS[region_or_url.lower()]
    except KeyError:
        known = ", ".join(REGIONS)
        raise ValueError(
            f"Unknown TTLock region {region_or_url!r}: use one of {known} or a full https:// URL"
        ) from None
