"""The three OKX sites: ids, labels, web and API hosts (the "Sites" table of docs/spec.md)."""

from __future__ import annotations

from typing import Final, Literal, get_args
from urllib.parse import urlsplit

SiteId = Literal["global", "eea", "us"]
"""A site id, as ``--site`` takes it. The one list of sites; the tables below follow it."""

SITE_IDS: Final[tuple[SiteId, ...]] = get_args(SiteId)
SITE_LABELS: Final[dict[str, str]] = {"global": "Global", "eea": "EEA", "us": "US"}
WEB_HOSTS: Final[dict[str, str]] = {
    "global": "www.okx.com",
    "eea": "my.okx.com",
    "us": "app.okx.com",
}
API_HOSTS: Final[dict[str, str]] = {
    "global": "www.okx.com",
    "eea": "eea.okx.com",
    "us": "app.okx.com",
}
MENU_NUMBERS: Final[dict[str, SiteId]] = {
    str(number): site for number, site in enumerate(SITE_IDS, start=1)
}


def api_key_console_url(site: str) -> str:
    """The web console page where API keys are managed for ``site``."""
    return f"https://{WEB_HOSTS[site]}/account/my-api"


def site_of_base_url(base_url: str | None) -> SiteId | None:
    """The site a profile's ``base_url`` names (its web or API host over https), or None.

    okx 1.2.4's ``okx config init`` records an EEA or US choice only as ``base_url``
    (``https://my.okx.com``, ``https://app.okx.com``), never as ``site`` (docs/spec.md, D3).
    Any other URL (a proxy, a local server) names no site.
    """
    if not base_url:
        return None
    try:
        parts = urlsplit(base_url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or port not in (None, 443) or parts.path not in ("", "/"):
        return None
    for site in SITE_IDS:
        if host in (WEB_HOSTS[site], API_HOSTS[site]):
            return site
    return None
