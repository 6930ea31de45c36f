"""Whatever okx prints and whatever it exits with, the adapter returns or raises OkxCliError.

A property test over arbitrary bytes, JSON values and exit codes, through an in-process runner
that plays a process printing them (the subprocess path is covered by the fault tests).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import ERROR_KINDS, OkxCliError
from okx_auth_graph.okx.process import RawResult

SECRET = "sk-PROPERTY-SECRET-7731"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["logged_in", "pending", "not_logged_in", "skipped", "x"]),
        "site": st.none() | st.sampled_from(["global", "eea", "us", ""]),
        "scopes": st.lists(st.text(max_size=5), max_size=3) | st.integers(),
        "verificationUri": st.text(max_size=10),
        "userCode": st.text(max_size=10),
        "expiresIn": st.integers(-5, 1000) | st.text(max_size=3),
        "profiles": st.dictionaries(
            st.text(max_size=5),
            st.fixed_dictionaries(
                {}, optional={"api_key": st.just(SECRET), "site": st.text(max_size=4)}
            ),
            max_size=2,
        ),
        "exists": st.booleans(),
        "reason": st.text(max_size=5),
    },
)
outputs = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    shaped.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=60).map(str.encode),
)


class Prints:
    def __init__(self, exit_code: int, stdout: bytes, stderr: bytes) -> None:
        self.result = (exit_code, stdout, stderr)

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        return RawResult(tuple(argv), *self.result)


METHODS = {
    "version": lambda cli: cli.version(),
    "config_show": lambda cli: cli.config_show(),
    "auth_status": lambda cli: cli.auth_status(),
    "login_manual": lambda cli: cli.login_manual("us"),
    "login_interactive": lambda cli: cli.login_interactive("eea"),
    "logout": lambda cli: cli.logout(),
    "install": lambda cli: cli.install(),
    "install_status": lambda cli: cli.install_status(),
    "remove": lambda cli: cli.remove(),
    "run": lambda cli: cli.run(["market", "ticker", "BTC-USDT", "--json"]),
}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    method=st.sampled_from(sorted(METHODS)),
    exit_code=st.sampled_from([0, 0, 1, 2, -9]),
    stdout=outputs,
    stderr=outputs | st.just(f"Error: bad key {SECRET}".encode()),
)
async def test_any_output_returns_or_raises_a_typed_error(
    method: str, exit_code: int, stdout: bytes, stderr: bytes
) -> None:
    cli = OkxCli(runner=Prints(exit_code, stdout, stderr), env={"OKX_SECRET_KEY": SECRET})
    failure: OkxCliError | None = None
    result: Any = None
    try:
        result = await METHODS[method](cli)
    except OkxCliError as error:
        failure = error
    if failure is None:
        assert exit_code == 0
        assert SECRET not in repr(result)
    else:
        assert failure.kind in ERROR_KINDS
        assert SECRET not in repr(failure.to_dict())
        if exit_code != 0:
            assert failure.exit_code == exit_code
