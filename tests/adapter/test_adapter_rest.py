"""The local OKX REST emulator: scripted answers per path, request records, closing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.rigs.rest import (
    BALANCE_PATH,
    TICKER_PATH,
    OkxRestEmulator,
    closed_port_url,
)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def test_success_bodies_are_okx_shaped(rest: OkxRestEmulator) -> None:
    status, body = get(rest.url + TICKER_PATH + "?instId=ETH-USDT")
    assert status == 200
    assert body["code"] == "0"
    assert body["msg"] == ""
    assert body["data"][0]["instId"] == "ETH-USDT"  # type: ignore[index]
    _, balance = get(rest.url + BALANCE_PATH + "?ccy=BTC")
    assert [d["ccy"] for d in balance["data"][0]["details"]] == ["BTC"]  # type: ignore[index]


def test_scripts_apply_per_path(rest: OkxRestEmulator) -> None:
    rest.script(BALANCE_PATH, "invalid_key_401")
    assert get(rest.url + BALANCE_PATH) == (
        401,
        {"code": "50111", "msg": "Invalid OK-ACCESS-KEY"},
    )
    assert get(rest.url + TICKER_PATH + "?instId=BTC-USDT")[0] == 200
    rest.script_all("code_50112")
    assert get(rest.url + TICKER_PATH + "?instId=BTC-USDT")[1]["code"] == "50112"


def test_records_header_names_never_values(rest: OkxRestEmulator) -> None:
    get(
        rest.url + BALANCE_PATH,
        {
            "OK-ACCESS-KEY": "k-value-1",
            "OK-ACCESS-SIGN": "s-value-2",
            "OK-ACCESS-PASSPHRASE": "p-3",
        },
    )
    (request,) = rest.requests()
    assert (request.method, request.path) == ("GET", BALANCE_PATH)
    assert request.signed
    assert {"ok-access-key", "ok-access-sign", "ok-access-passphrase"} <= request.header_names
    for value in ("k-value-1", "s-value-2", "p-3"):
        assert value not in repr(request)


def test_unknown_scenario_is_rejected(rest: OkxRestEmulator) -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        rest.script(BALANCE_PATH, "teapot")  # type: ignore[arg-type]


def test_closed_emulator_refuses_connections() -> None:
    rest = OkxRestEmulator().start()
    url = rest.url
    assert rest.running
    rest.close()
    rest.close()
    assert not rest.running
    for target in (url, closed_port_url()):
        with pytest.raises(urllib.error.URLError):
            get(target + TICKER_PATH)


def test_port_is_unknown_before_start() -> None:
    with pytest.raises(RuntimeError, match="not been started"):
        _ = OkxRestEmulator().url
