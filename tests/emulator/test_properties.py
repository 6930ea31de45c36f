"""Property tests: any sequence of world events keeps the emulator on its contract."""

from __future__ import annotations

import asyncio
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okx_auth_graph.testing import OkxEmulator, WorldError

SITES = ("global", "eea", "us")
# The reference model's lifetimes, written out (not imported from the emulator it judges): the
# device code's "expiresIn": 600 and the access token's "ttl": 3600 of docs/spec.md's examples,
# and the 30-day refresh window of the emulated session (a lapsed refresh token = logged out).
DEVICE_CODE_TTL = 600
ACCESS_TTL = 3600
REFRESH_TTL = 30 * 24 * 3600
STEPS = (1.0, 300.0, 599.0, 601.0, ACCESS_TTL + 1.0, REFRESH_TTL + 1.0)

events = st.one_of(
    st.tuples(st.just("login"), st.sampled_from(SITES)),
    st.tuples(st.sampled_from(["approve", "deny", "expire_code", "expire_session", "logout"])),
    st.tuples(st.just("advance"), st.sampled_from(STEPS)),
)


@dataclass
class Model:
    """What the contract says the world is: the reference the emulator is checked against."""

    clock: float = 0.0
    auth: str = "not_logged_in"
    site: str | None = None
    code_issued: float = 0.0
    access_expires: float = 0.0
    refresh_expires: float = 0.0
    session_expired: bool = False

    def settle(self) -> None:
        if self.auth == "pending" and self.clock >= self.code_issued + DEVICE_CODE_TTL:
            self.auth = "not_logged_in"
        if self.auth == "logged_in":
            if self.clock >= self.refresh_expires:
                self.auth, self.session_expired = "not_logged_in", True
            elif self.clock >= self.access_expires:
                self.access_expires = self.clock + ACCESS_TTL
                self.refresh_expires = self.clock + REFRESH_TTL

    def expected_status(self) -> dict[str, str]:
        if self.auth == "not_logged_in":
            return {"status": "not_logged_in", "site": "global"}
        return {"status": self.auth, "site": str(self.site)}


async def apply(emu: OkxEmulator, model: Model, event: tuple[object, ...]) -> None:
    name = event[0]
    model.settle()
    if name == "login":
        raw = await emu(["auth", "login", "--manual", "--site", str(event[1])], timeout=10)
        assert raw.exit_code == 0
        assert json.loads(raw.stdout)["expiresIn"] == DEVICE_CODE_TTL
        model.auth, model.site, model.code_issued = "pending", str(event[1]), model.clock
        model.session_expired = False
    elif name == "advance":
        emu.advance(float(str(event[1])))
        model.clock += float(str(event[1]))
    elif name == "logout":
        assert (await emu(["auth", "logout"], timeout=10)).exit_code == 0
        model.auth, model.session_expired = "not_logged_in", False
    elif name in {"approve", "deny", "expire_code"}:
        if model.auth != "pending":
            try:
                getattr(emu, str(name))()
            except WorldError:
                return
            raise AssertionError(f"{name} without a pending code must raise WorldError")
        getattr(emu, str(name))()
        if name == "approve":
            model.auth = "logged_in"
            model.access_expires = model.clock + ACCESS_TTL
            model.refresh_expires = model.clock + REFRESH_TTL
        else:
            model.auth = "not_logged_in"
    elif name == "expire_session":
        if model.auth != "logged_in":
            try:
                emu.expire_session()
            except WorldError:
                return
            raise AssertionError("expire_session with nobody logged in must raise WorldError")
        emu.expire_session()
        model.auth, model.session_expired = "not_logged_in", True


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, max_size=12))
def test_status_follows_the_contract_for_any_sequence(sequence: list[tuple[object, ...]]) -> None:
    async def scenario(state_dir: Path) -> None:
        emu = OkxEmulator(state_dir)
        emu.init_world()
        model = Model()
        for event in sequence:
            await apply(emu, model, event)
            raw = await emu(["auth", "status", "--json"], timeout=10)
            model.settle()
            assert raw.exit_code == 0
            data = json.loads(raw.stdout)
            assert {"status": data["status"], "site": data["site"]} == model.expected_status()
            expired_note = raw.stderr.decode().startswith("Session expired")
            assert expired_note is model.session_expired

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario(Path(tmp)))


words = st.sampled_from(
    [
        "auth",
        "config",
        "login",
        "status",
        "show",
        "init",
        "install",
        "install-status",
        "remove",
        "logout",
        "--json",
        "--manual",
        "--force",
        "--site",
        "--site=eea",
        "eea",
        "mars",
        "--version",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["auth", "config", "--version"]),
    st.lists(st.one_of(words, st.text(max_size=12)), max_size=5),
    st.binary(max_size=60),
)
def test_any_auth_or_config_command_line_answers_0_or_1(
    head: str, tail: list[str], stdin: bytes
) -> None:
    async def scenario(state_dir: Path) -> None:
        emu = OkxEmulator(state_dir)
        emu.init_world(login_cap=0.0)
        raw = await emu([head, *tail], timeout=10, stdin=stdin)
        assert raw.exit_code in {0, 1}
        raw.stdout.decode("utf-8")
        raw.stderr.decode("utf-8")
        assert [c["argv"] for c in emu.calls()] == [[head, *tail]]

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario(Path(tmp)))
