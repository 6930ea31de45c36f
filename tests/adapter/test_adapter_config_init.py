"""``okx config init`` (a wizard that owns the terminal) runs through the adapter, not beside it."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.testing import OkxEmulator
from tests.adapter.adapter_support import write_fake


def test_config_init_runs_through_the_adapter(tmp_path: Path) -> None:
    """The chat's ``okx config init`` goes through ``OkxCli`` (here on the emulator's world)."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    code = OkxCli(runner=emulator).config_init(timeout=60)
    assert isinstance(code, int)  # no answers on stdin here: the wizard stops at end of input
    assert ["config", "init"] in [c["argv"] for c in emulator.calls()]


def test_a_runner_without_a_terminal_cannot_run_the_wizard(tmp_path: Path) -> None:
    class PipesOnly:
        async def __call__(self, argv: object, *, timeout: float, stdin: object = None) -> object:
            raise AssertionError("not called")

    with pytest.raises(OSError, match="cannot run okx in a terminal"):
        OkxCli(runner=PipesOnly()).config_init(timeout=1)  # type: ignore[arg-type]


class Wizard:
    """A terminal runner standing in for okx's wizard: records each argv and timeout it is
    given and exits with ``exit_code``, or raises ``error`` (as the subprocess runner does)."""

    def __init__(self, exit_code: int = 0, error: BaseException | None = None) -> None:
        self.exit_code, self.error = exit_code, error
        self.calls: list[tuple[list[str], float]] = []

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        raise AssertionError("the wizard runs in the terminal, not through pipes")

    def in_terminal(self, argv: Sequence[str], *, timeout: float) -> int:
        self.calls.append((list(argv), timeout))
        if self.error is not None:
            raise self.error
        return self.exit_code


@pytest.mark.parametrize("exit_code", [0, 1, 3, 130])
def test_config_init_runs_okx_config_init_with_its_timeout_and_returns_its_status(
    exit_code: int,
) -> None:
    wizard = Wizard(exit_code)
    assert OkxCli(runner=wizard, timeout=5.0).config_init(timeout=42.5) == exit_code
    assert wizard.calls == [(["config", "init"], 42.5)]


def test_config_init_waits_fifteen_minutes_by_default() -> None:
    wizard = Wizard()
    OkxCli(runner=wizard, timeout=5.0, login_timeout=60.0).config_init()
    assert wizard.calls == [(["config", "init"], 900.0)]


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "No such file or directory", "okx"),
        subprocess.TimeoutExpired(["okx", "config", "init"], 1.0),
    ],
    ids=["not_started", "timed_out"],
)
def test_config_init_lets_the_runners_failure_through(error: BaseException) -> None:
    """The chat turns exactly these (OSError, SubprocessError) into its "could not run" line."""
    with pytest.raises(type(error)) as caught:
        OkxCli(runner=Wizard(error=error)).config_init(timeout=1)
    assert caught.value is error


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [(float("nan"), "nan"), (0, "0"), (-1.0, "-1.0"), (float("inf"), "inf"), ("60", "'60'")],
)
def test_a_timeout_that_is_no_positive_number_is_refused_before_the_wizard(
    timeout: object, shown: str
) -> None:
    wizard = Wizard()
    message = f"timeout must be a finite positive number of seconds, not {shown}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        OkxCli(runner=wizard).config_init(timeout=timeout)  # type: ignore[arg-type]
    assert wizard.calls == []


def test_a_runner_without_a_terminal_is_named_in_the_refusal() -> None:
    class PipesOnly:
        async def __call__(self, argv: object, *, timeout: float, stdin: object = None) -> object:
            raise AssertionError("not called")

    with pytest.raises(OSError, match=r"^PipesOnly cannot run okx in a terminal$"):
        OkxCli(runner=PipesOnly()).config_init(timeout=1)  # type: ignore[arg-type]


def test_config_init_runs_the_okx_executable_in_this_terminal_with_its_home(
    tmp_path: Path,
) -> None:
    """The subprocess runner: okx's argv and HOME reach the program, its exit status comes back,
    and a wizard past its timeout is stopped with TimeoutExpired."""
    seen = tmp_path / "seen.txt"
    fake = write_fake(
        tmp_path / "bin",
        f'printf "%s|" "$@" > \'{seen}\'; printf "%s" "$HOME" >> \'{seen}\'\n'
        'if [ "$OKX_FAKE_SLEEP" ]; then exec sleep "$OKX_FAKE_SLEEP"; fi\nexit 3\n',
    )
    home = tmp_path / "home"
    assert OkxCli(str(fake), home=str(home)).config_init(timeout=30) == 3
    assert seen.read_text() == f"config|init|{home}"
    slow = OkxCli(str(fake), home=str(home), env={"OKX_FAKE_SLEEP": "5"})
    with pytest.raises(subprocess.TimeoutExpired):
        slow.config_init(timeout=0.3)
