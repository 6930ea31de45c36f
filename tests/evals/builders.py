"""Hand-built trajectories for the invariant tests."""

from __future__ import annotations

from typing import Any

from okx_auth_graph.evals.texts import render, site_menu
from okx_auth_graph.evals.trajectory import (
    Entry,
    EntryState,
    InterruptRecord,
    OkxCall,
    Trajectory,
    WorldSnapshot,
)

CONFIG = ["config", "show", "--json"]
STATUS = ["auth", "status", "--json"]


def login(site: str) -> list[str]:
    return ["auth", "login", "--manual", "--site", site]


def world(
    status: str = "not_logged_in", api_key_profiles: list[str] | None = None
) -> WorldSnapshot:
    return {
        "auth": {
            "status": status,
            "site": "global",
            "profile": "oauth" if status == "logged_in" else None,
            "ttl": 3600 if status == "logged_in" else None,
            "expiresAt": "2026-04-11T20:30:00+00:00" if status == "logged_in" else None,
        },
        "api_key_profiles": api_key_profiles or [],
    }


def menu_question() -> InterruptRecord:
    return {"type": "choose_site", "payload": {"type": "choose_site", "message": site_menu()}}


def challenge(site: str = "eea", language: str = "zh", expires_in: int = 600) -> InterruptRecord:
    payload: dict[str, Any] = {
        "type": "await_authorization",
        "site": site,
        "verificationUri": "https://www.okx.com/device",
        "userCode": "ABCD-EFGH",
        "expiresIn": expires_in,
    }
    payload["message"] = render(
        f"login_challenge.{language}",
        site=site,
        verificationUri=payload["verificationUri"],
        userCode=payload["userCode"],
        expires_minutes=max(1, expires_in // 60),
    )
    return {"type": "await_authorization", "payload": payload}


def waiting() -> InterruptRecord:
    return {
        "type": "await_authorization",
        "payload": {"type": "await_authorization", "message": "…"},
    }


class Builder:
    """Appends entries; calls get increasing stamps, the pre-flight pair overlapping."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self.t = Trajectory(secrets=secrets or [])
        self.clock = 0.0
        self.pending: InterruptRecord | None = None

    def _calls(self, argvs: list[list[str]], overlap_first_two: bool) -> list[int]:
        start = len(self.t.calls)
        for position, argv in enumerate(argvs):
            if overlap_first_two and position == 1:
                first = self.t.calls[-1]
                call: OkxCall = {
                    "argv": argv,
                    "started": first["started"] + 0.001,
                    "ended": first["ended"] + 0.001,
                    "exit_code": 0,
                }
            else:
                call = {
                    "argv": argv,
                    "started": self.clock,
                    "ended": self.clock + 0.01,
                    "exit_code": 0,
                }
            self.clock += 0.02
            self.t.calls.append(call)
        return [start, len(self.t.calls)]

    def _add(
        self,
        kind: str,
        text: str,
        calls: list[list[str]],
        replies: list[str],
        interrupt: InterruptRecord | None,
        state: dict[str, Any] | None,
        world_before: WorldSnapshot | None,
        overlap: bool,
        data: dict[str, Any] | None,
    ) -> Builder:
        first_message = len(self.t.messages)
        self.t.messages.append({"role": "human", "content": text})
        for reply in replies:
            self.t.messages.append({"role": "ai", "content": reply})
        if interrupt is not None:
            self.t.messages.append({"role": "ai", "content": interrupt["payload"]["message"]})
        done = interrupt is None
        entry_state: EntryState = {
            "done": done,
            "route": None,
            "outcome": None,
            "site": None,
            "language": None,
        }
        entry_state.update(state or {})  # type: ignore[typeddict-item]
        entry: Entry = {
            "kind": kind,  # type: ignore[typeddict-item]
            "text": text,
            "input": data if kind == "input" else None,
            "resumed": self.pending if kind == "resume" else None,
            "calls": self._calls(calls, overlap),
            "messages": [first_message, len(self.t.messages)],
            "interrupt": interrupt,
            "state": entry_state,
            "world": world_before,
        }
        self.t.entries.append(entry)
        self.pending = interrupt
        return self

    def input(
        self,
        text: str,
        calls: list[list[str]] | None = None,
        replies: list[str] | None = None,
        interrupt: InterruptRecord | None = None,
        state: dict[str, Any] | None = None,
        world_before: WorldSnapshot | None = None,
        overlap: bool = True,
        data: dict[str, Any] | None = None,
    ) -> Builder:
        return self._add(
            "input",
            text,
            [CONFIG, STATUS] if calls is None else calls,
            replies or [],
            interrupt,
            state,
            world_before or world(),
            overlap,
            data or {"request": text},
        )

    def resume(
        self,
        text: str,
        calls: list[list[str]] | None = None,
        replies: list[str] | None = None,
        interrupt: InterruptRecord | None = None,
        state: dict[str, Any] | None = None,
        world_before: WorldSnapshot | None = None,
    ) -> Builder:
        return self._add(
            "resume",
            text,
            calls or [],
            replies or [],
            interrupt,
            state,
            world_before or world(),
            False,
            None,
        )


def happy_login(site_reply: str = "2", site: str = "eea", language: str = "zh") -> Builder:
    """Fresh OAuth login: pre-flight, menu, choice, challenge, signal, success."""
    request = "帮我查一下账户余额" if language == "zh" else "show my balance"
    signal = "好了" if language == "zh" else "done"
    scopes = "live:read, live:trade"
    return (
        Builder()
        .input(request, interrupt=menu_question())
        .resume(site_reply, calls=[login(site)], interrupt=challenge(site, language))
        .resume(
            signal,
            calls=[STATUS],
            replies=[render(f"login_success.{language}", site=site, scopes=scopes)],
            state={"outcome": "logged_in", "route": "okx-cex-portfolio", "site": site},
            world_before=world("pending"),
        )
    )
