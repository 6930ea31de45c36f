"""No text the graph can show tells the user to run ``okx auth login`` without ``--site`` (D11)."""

from __future__ import annotations

import re

from okx_auth_graph.okx.errors import RECOMMENDED_ACTIONS
from okx_auth_graph.prompts import TEXTS

# "okx auth login" as a command to run: followed by options or the end of the command, and
# without a --site among its options.
_LOGIN_COMMAND = re.compile(r"okx auth login((?:\s+--?[\w-]+(?:\s+[<\w>-]+)?)*)")


def _bare_logins(text: str) -> list[str]:
    return [m.group(0) for m in _LOGIN_COMMAND.finditer(text) if "--site" not in m.group(1)]


def test_no_prompt_or_action_advises_a_login_without_site() -> None:
    found = {name: _bare_logins(text) for name, text in TEXTS.items()}
    found |= {f"action:{kind}": _bare_logins(text) for kind, text in RECOMMENDED_ACTIONS.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_check_catches_the_old_texts() -> None:
    assert _bare_logins("okx auth login --manual again")
    assert _bare_logins("What to do: okx auth login --manual")
    assert not _bare_logins("okx auth login --manual --site <site>")
