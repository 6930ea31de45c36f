"""A small local emulator of the OKX REST API (v5), for tests that run real okx commands.

This is an emulator of a *contract*, not of OKX: it answers the two endpoints the project's
downstream commands use (``GET /api/v5/account/balance`` and ``GET /api/v5/market/ticker``)
with realistic OKX JSON, ``{"code":"0","msg":"","data":[...]}``, and can be scripted per path
to answer the failures the adapter must classify: HTTP 401 with code 50111, HTTP 200 with
codes 50111 / 50112 / 50113 (authentication errors) and 51155 / 51734 (region restrictions),
HTTP 500, a non-JSON 502, or no answer at all (``hang``: the request is held until the client
gives up, or the emulator closes). Closing it leaves its port closed, so a client then meets a
network error.

It binds ``127.0.0.1`` on a free port (port 0) and serves from a daemon thread; point the real
CLI at it with ``OKX_API_BASE_URL=emulator.url``. Every request is recorded with its method,
path, query and the *names* of its headers; header values are never kept, because the
``OK-ACCESS-KEY`` / ``OK-ACCESS-PASSPHRASE`` / ``Authorization`` headers carry secrets.

Example:
    with OkxRestEmulator() as rest:
        rest.script("/api/v5/account/balance", "invalid_key_401")
        env = {"OKX_API_BASE_URL": rest.url}
        ...
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

BALANCE_PATH = "/api/v5/account/balance"
TICKER_PATH = "/api/v5/market/ticker"

Scenario = Literal[
    "success",
    "invalid_key_401",
    "code_50111",
    "code_50112",
    "code_50113",
    "region_51155",
    "region_51734",
    "server_error_500",
    "not_json",
    "hang",
]
SCENARIOS: tuple[str, ...] = Scenario.__args__  # type: ignore[attr-defined]

BALANCE_DATA: list[dict[str, Any]] = [
    {
        "adjEq": "",
        "availEq": "",
        "details": [
            {
                "availBal": "1.25",
                "availEq": "1.25",
                "cashBal": "1.25",
                "ccy": "BTC",
                "eq": "1.25",
                "eqUsd": "121250",
                "frozenBal": "0",
                "uTime": "1764000000000",
            },
            {
                "availBal": "5230.5",
                "availEq": "5230.5",
                "cashBal": "5230.5",
                "ccy": "USDT",
                "eq": "5230.5",
                "eqUsd": "5230.5",
                "frozenBal": "0",
                "uTime": "1764000000000",
            },
        ],
        "imr": "",
        "isoEq": "0",
        "mgnRatio": "",
        "mmr": "",
        "notionalUsd": "",
        "ordFroz": "",
        "totalEq": "126480.5",
        "uTime": "1764000000000",
    }
]


def ticker_data(inst_id: str) -> list[dict[str, Any]]:
    """The ``data`` array of a ``GET /api/v5/market/ticker?instId=…`` success."""
    return [
        {
            "instType": "SPOT",
            "instId": inst_id,
            "last": "97000.1",
            "lastSz": "0.0012",
            "askPx": "97000.2",
            "askSz": "1.5",
            "bidPx": "97000.1",
            "bidSz": "0.8",
            "open24h": "95500",
            "high24h": "97800",
            "low24h": "95100.5",
            "volCcy24h": "812345678.9",
            "vol24h": "8456.12",
            "ts": "1764000000000",
            "sodUtc0": "96000",
            "sodUtc8": "95800",
        }
    ]


@dataclass(frozen=True)
class ScriptedResponse:
    """One HTTP answer: status and JSON (or raw text) body."""

    status: int
    body: dict[str, Any] | str


_FAILURES: dict[str, ScriptedResponse] = {
    "invalid_key_401": ScriptedResponse(401, {"code": "50111", "msg": "Invalid OK-ACCESS-KEY"}),
    "code_50111": ScriptedResponse(200, {"code": "50111", "msg": "Invalid OK-ACCESS-KEY"}),
    "code_50112": ScriptedResponse(200, {"code": "50112", "msg": "Invalid OK-ACCESS-TIMESTAMP"}),
    "code_50113": ScriptedResponse(200, {"code": "50113", "msg": "Invalid Sign"}),
    "region_51155": ScriptedResponse(
        200,
        {
            "code": "51155",
            "msg": "You can't trade this pair or borrow this crypto due to local compliance"
            " restrictions.",
            "data": [],
        },
    ),
    "region_51734": ScriptedResponse(
        200,
        {
            "code": "51734",
            "msg": "This feature isn't supported in your country or region.",
            "data": [],
        },
    ),
    "server_error_500": ScriptedResponse(500, {"code": "50000", "msg": "System error"}),
    "not_json": ScriptedResponse(502, "<html><body>502 Bad Gateway</body></html>"),
}


def balance_data(ccy: str | None = None) -> list[dict[str, Any]]:
    """The ``data`` array of a ``GET /api/v5/account/balance[?ccy=A,B]`` success."""
    if not ccy:
        return BALANCE_DATA
    wanted = {c.strip().upper() for c in ccy.split(",")}
    return [
        {
            **BALANCE_DATA[0],
            "details": [d for d in BALANCE_DATA[0]["details"] if d["ccy"] in wanted],
        }
    ]


def scripted_response(scenario: str, path: str, query: dict[str, str]) -> ScriptedResponse:
    """The answer for ``scenario`` on ``path`` (success data depends on path and query).

    Raises:
        ValueError: If ``scenario`` is not one of :data:`SCENARIOS`.
    """
    if scenario in ("success", "hang"):
        if path == BALANCE_PATH:
            data = balance_data(query.get("ccy"))
            return ScriptedResponse(200, {"code": "0", "msg": "", "data": data})
        if path == TICKER_PATH:
            inst_id = query.get("instId", "")
            if not inst_id:
                return ScriptedResponse(
                    200, {"code": "50014", "msg": "Parameter instId can not be empty.", "data": []}
                )
            return ScriptedResponse(200, {"code": "0", "msg": "", "data": ticker_data(inst_id)})
        return ScriptedResponse(404, {"code": "404", "msg": "Not Found"})
    try:
        return _FAILURES[scenario]
    except KeyError:
        raise ValueError(f"unknown scenario {scenario!r}; use one of {SCENARIOS}") from None


@dataclass(frozen=True)
class RecordedRequest:
    """A request the emulator received; header *names* only, lower-cased, never values."""

    method: str
    path: str
    query: dict[str, str]
    header_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def signed(self) -> bool:
        """Whether the request carried API-key signature headers."""
        return {"ok-access-key", "ok-access-sign", "ok-access-passphrase"} <= self.header_names


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        emulator = self.server.emulator
        emulator._record(
            RecordedRequest(
                self.command, parts.path, query, frozenset(k.lower() for k in self.headers)
            )
        )
        scenario = emulator.scenario_for(parts.path)
        if scenario == "hang":
            emulator._closing.wait(emulator.hang_seconds)
            scenario = "success"
        answer = scripted_response(scenario, parts.path, query)
        if isinstance(answer.body, str):
            payload = answer.body.encode()
            content_type = "text/html"
        else:
            payload = json.dumps(answer.body, separators=(",", ":")).encode()
            content_type = "application/json"
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request log on stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: OkxRestEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away (a ``hang`` answer after the client's timeout)."""


class OkxRestEmulator:
    """A scripted OKX REST server on ``127.0.0.1`` (free port), usable as a context manager.

    Args:
        default: The scenario for every path not scripted with :meth:`script`.
        hang_seconds: How long a ``hang`` request is held before it is answered.
    """

    def __init__(self, default: Scenario = "success", *, hang_seconds: float = 30.0) -> None:
        if default not in SCENARIOS:
            raise ValueError(f"unknown scenario {default!r}")
        self._default: str = default
        self._scripted: dict[str, str] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._closing = threading.Event()
        self.hang_seconds = hang_seconds

    @property
    def port(self) -> int:
        """The TCP port (kept after :meth:`close`, when it refuses connections)."""
        if self._port is None:
            raise RuntimeError("the REST emulator has not been started")
        return self._port

    @property
    def url(self) -> str:
        """The base URL to put in ``OKX_API_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    def start(self) -> OkxRestEmulator:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._closing.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.emulator = self
        self._server = server
        self._port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and close the port; later requests meet a refused connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OkxRestEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def script(self, path: str, scenario: Scenario) -> None:
        """Answer ``path`` with ``scenario`` from now on."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        with self._lock:
            self._scripted[path] = scenario

    def script_all(self, scenario: Scenario) -> None:
        """Answer every path with ``scenario`` from now on (clears per-path scripts)."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        with self._lock:
            self._scripted.clear()
            self._default = scenario

    def scenario_for(self, path: str) -> str:
        """The scenario currently scripted for ``path``."""
        with self._lock:
            return self._scripted.get(path, self._default)

    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def closed_port_url() -> str:
    """A ``http://127.0.0.1:PORT`` URL whose port was just free and is now closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"http://127.0.0.1:{port}"
