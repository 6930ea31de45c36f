"""The three OKX sites: ids, labels and web hosts (the "Sites" table of docs/spec.md)."""

from __future__ import annotations

from typing import Final, Literal, get_args

SiteId = Literal["global", "eea", "us"]
"""A site id, as ``--site`` takes it. The one list of sites; the tables below follow it."""

SITE_IDS: Final[tuple[SiteId, ...]] = get_args(SiteId)
SITE_LABELS: Final[dict[str, str]] = {"global": "Global", "eea": "EEA", "us": "US"}
WEB_HOSTS: Final[dict[str, str]] = {
    "global": "www.okx.com",
    "eea": "my.okx.com",
    "us": "app.okx.com",
}
MENU_NUMBERS: Final[dict[str, SiteId]] = {
    str(number): site for number, site in enumerate(SITE_IDS, start=1)
}


def api_key_console_url(site: str) -> str:
    """The web console page where API keys are managed for ``site``."""
    return f"https://{WEB_HOSTS[site]}/account/my-api"
