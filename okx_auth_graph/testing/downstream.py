"""The okx emulator's downstream commands (``account balance``, ``market ticker``) over real HTTP.

:func:`run_downstream` is what the emulated ``okx`` does for a non-auth, non-config command: it
resolves credentials the way the CLI does, calls the OKX REST API at ``OKX_API_BASE_URL``
(default: the site's API host; tests only ever use a loopback
``OkxRestEmulator`` of ``tests/rigs/rest.py``), and prints what the real CLI prints.
It is an emulator of a contract: every text below was measured on the real npm CLI
``@okx_ai/okx-trade-cli@1.2.4`` (own ``HOME`` per run, ``OKX_API_BASE_URL`` pointing at the
REST emulator; the ``update-check.json`` cache pre-seeded so no registry call happens).

Measured on 1.2.4 (exit code, then stdout / stderr; ``V`` stands for the last stderr line
``Version: @okx_ai/okx-trade-cli@1.2.4``):

==========================================  ====  ==========================================
case                                        exit  output
==========================================  ====  ==========================================
``--version``                               0     stdout ``1.2.4 (88fac29)``
``config show --json``, no config           0     stdout ``{"profiles": {}}`` (2-space indent)
``config show --json``, one profile         0     the whole TOML as JSON, secrets in clear
``auth status --json``                      1     stderr ``Unknown command: auth status``
``auth logout`` / ``auth install --json``   1     ``Unknown command: auth logout`` (…install)
``auth login --manual --site eea``          1     ``Error: Unknown option '--manual'. To
                                                  specify a positional argument starting
                                                  with a '-', place it at the end of the
                                                  command after '--', as in '-- "--manual"``
                                                  / ``Hint: Unexpected server error. Check
                                                  tool arguments and retry. If it persists,
                                                  inspect server logs.`` / V
``foo bar``                                 1     stderr ``Unknown command: foo bar``
``account nosuch`` / ``market``             0     nothing at all
balance / ticker ``--json``, success        0     stdout ``JSON.stringify(data, null, 2)`` + LF
HTTP 401 ``{"code":"50111",…}``             1     ``Error: HTTP 401 from OKX: Invalid
                                                  OK-ACCESS-KEY`` / ``Hint: Retry later or
                                                  verify endpoint parameters.`` / V
HTTP 200, code 50111 / 50112 / 50113        1     ``Error: {msg}`` (``Invalid OK-ACCESS-KEY``,
                                                  ``Invalid OK-ACCESS-TIMESTAMP``, ``Invalid
                                                  Sign``) / ``Hint: Check API key, secret,
                                                  passphrase and permissions.`` / V
HTTP 200, code 51155                        1     ``Error: {msg}`` / ``Hint: Feature
                                                  unavailable in your region (site: {site}).
                                                  Verify your site setting matches your
                                                  account registration region. Available
                                                  sites: global, eea, us. Do not retry.`` / V
HTTP 200, code 51734                        1     same, hint ``Feature not supported for your
                                                  KYC country (site: {site}). …``
HTTP 500 ``{"msg":"System error"}``         1     ``Error: HTTP 500 from OKX: System error`` /
                                                  ``Hint: Retry later or verify endpoint
                                                  parameters.`` / V
HTTP 502, HTML body                         1     ``Error: HTTP 502 from OKX: {first 160
                                                  chars}`` / ``Hint: Verify endpoint path and
                                                  request parameters.`` / V
closed port                                 1     ``Error: Failed to call OKX endpoint GET
                                                  /api/v5/market/ticker?instId=BTC-USDT.`` /
                                                  ``Hint: Please check network connectivity
                                                  and retry the request in a few seconds.`` / V
no answer within ``OKX_TIMEOUT_MS``         1     the same as a closed port
balance, no credentials                     1     ``Error: Private endpoint requires API
                                                  credentials.`` / ``Hint: Configure
                                                  OKX_API_KEY, OKX_SECRET_KEY and
                                                  OKX_PASSPHRASE.`` / V
only ``OKX_API_KEY`` set                    1     ``Error: Partial API credentials
                                                  detected.`` / ``Hint: Set OKX_API_KEY,
                                                  OKX_SECRET_KEY and OKX_PASSPHRASE together
                                                  (env vars or config.toml profile).`` / V
``market ticker --json`` (no instId)        1     ``Error: Missing required parameter
                                                  "instId".`` / V
``OKX_API_BASE_URL=ftp://x``                1     ``Error: Invalid base URL "ftp://x".`` /
                                                  ``Hint: OKX_API_BASE_URL must start with
                                                  http:// or https://`` / V
==========================================  ====  ==========================================

A 401 fails public commands too (``market ticker`` included). The code (51155, 50113, …) is
never printed: only the message and the hint tell the failures apart. Each call took 0.1-0.8 s.

The emulated CLI is >= 1.3.1-beta.17, which adds OAuth. What 1.2.4 cannot show is taken from
the CLI's source (okx/agent-trade-kit ``packages/core``) and the spec: the REST client signs with
an API key when api_key, secret_key and passphrase are all present (from the profile or
``OKX_API_KEY`` / ``OKX_SECRET_KEY`` / ``OKX_PASSPHRASE``) and never falls back to OAuth;
otherwise it uses the OAuth session of ``okx-auth``. With neither, the emulator prints
``Error: No credentials found. Run `okx auth login` first.`` / ``Hint: Run `okx auth login` to
authenticate.``; with an OAuth session whose refresh token lapsed, ``Error: Session expired —
run okx auth login again``; with the ``okx-auth`` binary missing or corrupt, an OAuth call
fails like the auth commands, ``Error: Failed to spawn okx-auth: …`` (the session lives in that
binary: an emulator decision, the source is not public). **Project decisions:** an unknown action of a known module prints
``Unknown command: MODULE ACTION`` and exits 1 (1.2.4 silently exits 0); with the emulated
network down, every call fails with the closed-port text above, without any connection.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import json
import tomllib
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

DEFAULT_VERSION = "1.3.1-beta.17"
DEFAULT_TIMEOUT_MS = 15_000
SITE_API_BASE_URLS: dict[str, str] = {
    "global": "https://www.okx.com",
    "eea": "https://eea.okx.com",
    "us": "https://app.okx.com",
}
EMULATED_OAUTH_TOKEN = "emulated-oauth-access-token"  # noqa: S105 - a fixed fake, no secret

_AUTH_CODES = frozenset({"50111", "50112", "50113"})
_CODE_HINTS: dict[str, str] = {
    "51155": (
        "Feature unavailable in your region (site: {site}). Verify your site setting matches"
        " your account registration region. Available sites: global, eea, us. Do not retry."
    ),
    "51734": (
        "Feature not supported for your KYC country (site: {site}). Verify your site setting"
        " matches your account registration region. Available sites: global, eea, us."
        " Do not retry."
    ),
    "50011": "Rate limited. Back off and retry after a delay.",
    "50100": "API key lacks required permissions. Update API key permissions.",
    "50110": "API key expired. Generate a new API key.",
}
_NETWORK_HINT = "Please check network connectivity and retry the request in a few seconds."
_VALUE_OPTIONS = frozenset({"profile", "ccy", "instType", "instId", "site", "lang"})
_FLAG_OPTIONS = frozenset({"json", "demo", "verbose", "help"})


class _CliError(Exception):
    """An error the CLI reports as ``Error: …`` / ``Hint: …`` / ``Version: …``, exit 1."""

    def __init__(self, message: str, hint: str | None = None, trace_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.trace_id = trace_id


@dataclass(frozen=True)
class _Credentials:
    """How a private request is authenticated: an API key, an OAuth token, or not at all."""

    api_key: str | None = None
    secret_key: str | None = None
    passphrase: str | None = None
    oauth_token: str | None = None


@dataclass(frozen=True)
class _Call:
    """One resolved invocation: where to send requests and with which settings."""

    base_url: str
    site: str
    demo: bool
    timeout_s: float
    version: str


async def run_downstream(
    argv: Sequence[str], *, env: Mapping[str, str], world: dict[str, Any]
) -> tuple[int, bytes, bytes]:
    """Run one emulated downstream okx command (``account balance``, ``market ticker``).

    Args:
        argv: The okx arguments without the executable, e.g. ``["market", "ticker", "BTC-USDT"]``.
        env: The emulated process environment (``OKX_API_BASE_URL``, ``OKX_API_KEY``, …).
        world: ``{"config": dict | None, "auth": "logged_in" | "pending" | "not_logged_in",
            "session_expired": bool, "site": str | None, "network": "up" | "down"}``; an
            optional ``"version"`` names the emulated CLI version in error footers and an
            optional ``"binary"`` (``installed`` / ``missing`` / ``corrupt``) the okx-auth binary.

    Returns:
        ``(exit_code, stdout, stderr)`` exactly as the CLI would print them.
    """
    version = str(world.get("version") or DEFAULT_VERSION)
    try:
        stdout = await _dispatch(list(argv), env, world, version)
    except _UnknownCommandError as exc:
        return 1, b"", f"Unknown command: {exc.module} {exc.action}\n".encode()
    except _CliError as exc:
        lines = [f"Error: {exc.message}"]
        if exc.trace_id:
            lines.append(f"TraceId: {exc.trace_id}")
        if exc.hint:
            lines.append(f"Hint: {exc.hint}")
        lines.append(f"Version: @okx_ai/okx-trade-cli@{version}")
        return 1, b"", ("\n".join(lines) + "\n").encode()
    return 0, stdout.encode(), b""


class _UnknownCommandError(Exception):
    def __init__(self, module: str, action: str) -> None:
        super().__init__(f"{module} {action}")
        self.module = module
        self.action = action


def _parse(argv: list[str]) -> tuple[list[str], dict[str, str | bool]]:
    positionals: list[str] = []
    options: dict[str, str | bool] = {}
    args = iter(argv)
    for arg in args:
        if arg == "--":
            positionals.extend(args)
            break
        if not arg.startswith("--"):
            positionals.append(arg)
            continue
        name, eq, value = arg[2:].partition("=")
        if name in _FLAG_OPTIONS and not eq:
            options[name] = True
        elif name in _VALUE_OPTIONS:
            options[name] = value if eq else next(args, "")
        else:
            raise _CliError(
                f"Unknown option '{arg}'. To specify a positional argument starting with a '-',"
                f" place it at the end of the command after '--', as in '-- \"{arg}\"",
                "Unexpected server error. Check tool arguments and retry. If it persists,"
                " inspect server logs.",
            )
    return positionals, options


async def _dispatch(
    argv: list[str], env: Mapping[str, str], world: dict[str, Any], version: str
) -> str:
    positionals, options = _parse(argv)
    module = positionals[0] if positionals else ""
    action = positionals[1] if len(positionals) > 1 else ""
    rest = positionals[2:]
    as_json = options.get("json") is True
    profile_name = options.get("profile")
    config = _config(world)
    name = str(profile_name or config.get("default_profile") or "default")
    profiles = config.get("profiles")
    profile = profiles.get(name, {}) if isinstance(profiles, dict) else {}
    if not isinstance(profile, dict):
        profile = {}
    credentials = _api_key_credentials(profile, env)
    call = _resolve_call(profile, env, world, options, version)

    if module == "market" and action == "ticker":
        inst_id = rest[0] if rest else ""
        if not inst_id:
            raise _CliError('Missing required parameter "instId".')
        data = await _request(call, "/api/v5/market/ticker", {"instId": inst_id}, None, world)
        return _json_text(data) if as_json else _ticker_text(data)
    if module == "account" and action == "balance":
        if credentials is None:
            credentials = _oauth_credentials(world)
        ccy = rest[0] if rest else None
        query = {"ccy": ccy} if ccy else {}
        data = await _request(call, "/api/v5/account/balance", query, credentials, world)
        return _json_text(data) if as_json else _balance_text(data)
    raise _UnknownCommandError(module, action)


def _config(world: Mapping[str, Any]) -> dict[str, Any]:
    raw = world.get("config")
    if isinstance(raw, str):
        try:
            raw = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise _CliError(f"Invalid config.toml: {exc}") from None
    return raw if isinstance(raw, dict) else {}


def _api_key_credentials(profile: Mapping[str, Any], env: Mapping[str, str]) -> _Credentials | None:
    """API-key credentials from env (first) or the profile; None when none are set."""

    def pick(env_name: str, key: str) -> str | None:
        value = env.get(env_name)
        if value is not None:
            return value.strip()
        found = profile.get(key)
        return str(found) if found else None

    api_key = pick("OKX_API_KEY", "api_key")
    secret_key = pick("OKX_SECRET_KEY", "secret_key")
    passphrase = pick("OKX_PASSPHRASE", "passphrase")
    if api_key and secret_key and passphrase:
        return _Credentials(api_key=api_key, secret_key=secret_key, passphrase=passphrase)
    if api_key or secret_key or passphrase:
        raise _CliError(
            "Partial API credentials detected.",
            "Set OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE together"
            " (env vars or config.toml profile).",
        )
    return None


def _oauth_credentials(world: Mapping[str, Any]) -> _Credentials:
    if world.get("binary", "installed") != "installed" and world.get("auth") == "logged_in":
        raise _CliError("Failed to spawn okx-auth: spawn okx-auth ENOENT")
    if world.get("auth") == "logged_in":
        if world.get("session_expired"):
            raise _CliError("Session expired — run okx auth login again")
        return _Credentials(oauth_token=EMULATED_OAUTH_TOKEN)
    raise _CliError(
        "No credentials found. Run `okx auth login` first.",
        "Run `okx auth login` to authenticate.",
    )


def _resolve_call(
    profile: Mapping[str, Any],
    env: Mapping[str, str],
    world: Mapping[str, Any],
    options: Mapping[str, str | bool],
    version: str,
) -> _Call:
    cli_site = options.get("site")
    site = (
        (cli_site.strip() if isinstance(cli_site, str) else None)
        or (env["OKX_SITE"].strip() if "OKX_SITE" in env else None)
        or (str(profile["site"]) if profile.get("site") else None)
        or (str(world["site"]) if world.get("site") else None)
        or "global"
    )
    if site not in SITE_API_BASE_URLS:
        raise _CliError(f'Unknown site "{site}".', "Use one of: global, eea, us.")
    if "OKX_API_BASE_URL" in env:
        base_url = env["OKX_API_BASE_URL"].strip()
    elif profile.get("base_url"):
        base_url = str(profile["base_url"])
    else:
        base_url = SITE_API_BASE_URLS[site]
    if not base_url.startswith(("http://", "https://")):
        raise _CliError(
            f'Invalid base URL "{base_url}".',
            "OKX_API_BASE_URL must start with http:// or https://",
        )
    raw_timeout: Any = env.get("OKX_TIMEOUT_MS") or profile.get("timeout_ms") or DEFAULT_TIMEOUT_MS
    try:
        timeout_ms = float(raw_timeout)
    except (TypeError, ValueError):
        timeout_ms = float("nan")
    if not timeout_ms > 0 or timeout_ms == float("inf"):
        raise _CliError(
            f'Invalid timeout value "{raw_timeout}".',
            "Set OKX_TIMEOUT_MS as a positive integer in milliseconds.",
        )
    demo = bool(options.get("demo")) or env.get("OKX_DEMO") in ("1", "true")
    demo = demo or bool(profile.get("demo"))
    return _Call(base_url.rstrip("/"), site, demo, timeout_ms / 1000, version)


async def _request(
    call: _Call,
    path: str,
    query: Mapping[str, str],
    credentials: _Credentials | None,
    world: Mapping[str, Any],
) -> Any:
    request_path = f"{path}?{urlencode(query)}" if query else path
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": f"okx-trade-cli/{call.version}",
    }
    if credentials is not None:
        headers.update(_auth_headers(credentials, "GET", request_path))
    if call.demo:
        headers["x-simulated-trading"] = "1"
    if world.get("network") == "down":
        raise _CliError(f"Failed to call OKX endpoint GET {request_path}.", _NETWORK_HINT)
    status, body, response_headers = await asyncio.to_thread(
        _http_get, call.base_url + request_path, headers, call.timeout_s, request_path
    )
    return _process_response(status, body, response_headers, path, request_path, call.site)


def _auth_headers(credentials: _Credentials, method: str, request_path: str) -> dict[str, str]:
    if credentials.oauth_token is not None:
        return {"Authorization": f"Bearer {credentials.oauth_token}"}
    assert credentials.secret_key is not None
    assert credentials.api_key is not None
    assert credentials.passphrase is not None
    timestamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    digest = hmac.new(
        credentials.secret_key.encode(),
        f"{timestamp}{method}{request_path}".encode(),
        hashlib.sha256,
    ).digest()
    return {
        "OK-ACCESS-KEY": credentials.api_key,
        "OK-ACCESS-SIGN": base64.b64encode(digest).decode(),
        "OK-ACCESS-PASSPHRASE": credentials.passphrase,
        "OK-ACCESS-TIMESTAMP": timestamp,
    }


def _http_get(
    url: str, headers: Mapping[str, str], timeout: float, request_path: str
) -> tuple[int, bytes, dict[str, str]]:
    """GET ``url`` (no proxies, like the CLI's fetch); network failures become _CliError."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=dict(headers), method="GET")  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            return (
                response.status,
                response.read(),
                {k.lower(): v for k, v in response.headers.items()},
            )
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}
    except (OSError, ValueError):
        raise _CliError(f"Failed to call OKX endpoint GET {request_path}.", _NETWORK_HINT) from None


def _process_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    path: str,
    request_path: str,
    site: str,
) -> Any:
    text = body.decode("utf-8", errors="replace")
    trace_id = headers.get("x-trace-id") or headers.get("x-request-id") or headers.get("traceid")
    ok = 200 <= status < 300
    try:
        parsed: Any = json.loads(text) if text else {}
    except json.JSONDecodeError:
        if not ok:
            preview = " ".join(text[:160].split())
            raise _CliError(
                f"HTTP {status} from OKX: {preview or 'Non-JSON response body'}",
                "Verify endpoint path and request parameters.",
                trace_id,
            ) from None
        raise _CliError(
            f"OKX returned non-JSON response for GET {request_path}.", _NETWORK_HINT, trace_id
        ) from None
    if not isinstance(parsed, dict):
        parsed = {}
    if not ok:
        msg = parsed.get("msg")
        raise _CliError(
            f"HTTP {status} from OKX: {msg if msg is not None else 'Unknown error'}",
            "Retry later or verify endpoint parameters.",
            trace_id,
        )
    code = parsed.get("code")
    if code and code not in ("0", "1"):
        message = parsed.get("msg") or "OKX API request failed."
        if code in _AUTH_CODES:
            raise _CliError(message, "Check API key, secret, passphrase and permissions.", trace_id)
        hint = _CODE_HINTS.get(str(code))
        raise _CliError(message, hint.replace("{site}", site) if hint else None, trace_id)
    return parsed.get("data")


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _local_time(ms: Any) -> str:
    """``new Date(ms).toLocaleString()`` in the en-US form, e.g. ``11/24/2025, 4:00:00 PM``."""
    try:
        moment = dt.datetime.fromtimestamp(float(ms) / 1000)
    except (TypeError, ValueError, OverflowError, OSError):
        return "Invalid Date"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return (
        f"{moment.month}/{moment.day}/{moment.year}, "
        f"{hour}:{moment.minute:02d}:{moment.second:02d} {suffix}"
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no data)\n"
    keys = list(rows[0])
    widths = [max(len(k), *(len(_cell(r.get(k))) for r in rows)) for k in keys]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(_cell(r.get(k)).ljust(w) for k, w in zip(keys, widths, strict=True)) for r in rows
    )
    return "\n".join(lines) + "\n"


def _balance_text(data: Any) -> str:
    first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
    details = first.get("details") or []

    def positive(detail: Any) -> bool:
        try:
            return isinstance(detail, dict) and float(detail.get("eq") or 0) > 0
        except (TypeError, ValueError):
            return False

    return _table(
        [
            {
                "currency": d.get("ccy"),
                "equity": d.get("eq"),
                "available": d.get("availEq"),
                "frozen": d.get("frozenBal"),
            }
            for d in details
            if positive(d)
        ]
    )


def _ticker_text(data: Any) -> str:
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return "No data\n"
    ticker = data[0]
    fields = {
        "instId": ticker.get("instId"),
        "last": ticker.get("last"),
        "24h change %": ticker.get("sodUtc8"),
        "24h high": ticker.get("high24h"),
        "24h low": ticker.get("low24h"),
        "24h vol": ticker.get("vol24h"),
        "time": _local_time(ticker.get("ts")),
    }
    return "".join(
        f"{key.ljust(20)}  {'undefined' if value is None else _cell(value)}\n"
        for key, value in fields.items()
    )
