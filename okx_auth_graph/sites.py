"""The three OKX sites: ids, labels and web hosts (the "Sites" table of docs/spec.md)."""

from __future__ import annotations

from typing import Final

SITE_IDS: Final = ("global", "eea", "us")
SITE_LABELS: Final = {"global": "Global", "eea": "EEA", "us": "US"}
WEB_HOSTS: Final = {"global": "www.okx.com", "eea": "my.okx.com", "us": "app.okx.com"}
MENU_NUMBERS: Final = {"1": "global", "2": "eea", "3": "us"}


def api_key_console_url(site: str) -> str:
    """The web console page where API keys are managed for ``site``."""
    return f"https://{WEB_HOSTS[site]}/account/my-api"
