"""Which site a profile's ``base_url`` names (docs/spec.md, D3): only a site's own host."""

from __future__ import annotations

import pytest

from okx_auth_graph.okx.sites import site_of_base_url


@pytest.mark.parametrize(
    ("base_url", "site"),
    [
        ("https://my.okx.com", "eea"),  # what okx 1.2.4's wizard writes for EEA
        ("https://app.okx.com", "us"),  # … and for US
        ("https://eea.okx.com", "eea"),  # the EEA API host
        ("https://www.okx.com", "global"),
        ("https://www.okx.com/", "global"),
        ("HTTPS://MY.OKX.COM", "eea"),
        (" https://app.okx.com:443 ", "us"),
        (None, None),
        ("", None),
        ("http://my.okx.com", None),  # not https
        ("https://my.okx.com:8443", None),
        ("https://my.okx.com/api", None),
        ("https://my.okx.com.evil.example", None),
        ("https://okx.com", None),
        ("http://127.0.0.1:18080", None),  # a local server or a proxy names no site
        ("https://my.okx.com:notaport", None),
        ("my.okx.com", None),
    ],
)
def test_a_base_url_names_a_site_only_by_its_own_host(base_url: str | None, site: str | None):
    assert site_of_base_url(base_url) == site


def test_the_spec_sites_table_is_what_the_code_uses():
    """docs/spec.md's Sites table (ids, labels, web and API hosts) and sites.py agree."""
    from pathlib import Path

    from okx_auth_graph.okx.sites import API_HOSTS, SITE_IDS, SITE_LABELS, WEB_HOSTS

    spec = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text(encoding="utf-8")
    rows = {}
    for line in spec.split("## Sites", 1)[1].split("\n\n", 2)[1].splitlines()[2:]:
        site, label, web, api = (cell.strip() for cell in line.strip("|").split("|"))
        rows[site] = (label, web, api)
    assert list(rows) == list(SITE_IDS)
    assert rows == {s: (SITE_LABELS[s], WEB_HOSTS[s], API_HOSTS[s]) for s in SITE_IDS}
