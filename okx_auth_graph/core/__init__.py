"""The core: every decision that leads to an okx side effect, in one place every door uses.

The graph's nodes, :func:`~okx_auth_graph.doors.tools.make_tools`, the terminal chat and the MCP
server are doors: they translate their own input and output and call the functions here; none
calls a side-effecting method of the okx adapter (:class:`~okx_auth_graph.okx.adapter.OkxCli`) itself
(tests/unit/test_core_doors.py checks every call site).

- :mod:`.step0`: the pre-flight's two reads and the Step 0 decision from their answers
  (API key → OAuth session → pending code → a login is needed).
- :mod:`.login`: the pre-login gate and one login at a time per okx home (the lock is taken
  inside :func:`~.login.log_in`, the only function that runs ``okx auth login``), and one
  ``auth status`` per completion signal (:func:`~.login.check_login`).
- :mod:`.actions`: logout whenever OAuth state exists, the okx-auth binary, the config wizard.
- :mod:`okx_auth_graph.core.skill_commands`: the allowlist of downstream skill commands.
"""

from okx_auth_graph.core.actions import (
    has_oauth_state,
    install_binary,
    log_out,
    remove_binary,
    run_config_wizard,
)
from okx_auth_graph.core.login import (
    AnotherLogin,
    GateClosed,
    LockFault,
    LoginAnswered,
    LoginFailed,
    LoginOutcome,
    check_login,
    log_in,
)
from okx_auth_graph.core.skill_commands import SKILL_MODULES, run_okx_command
from okx_auth_graph.core.step0 import (
    Preflight,
    Step0,
    no_config,
    no_session,
    read_preflight,
    step0,
)

__all__ = [
    "SKILL_MODULES",
    "AnotherLogin",
    "GateClosed",
    "LockFault",
    "LoginAnswered",
    "LoginFailed",
    "LoginOutcome",
    "Preflight",
    "Step0",
    "check_login",
    "has_oauth_state",
    "install_binary",
    "log_in",
    "log_out",
    "no_config",
    "no_session",
    "read_preflight",
    "remove_binary",
    "run_config_wizard",
    "run_okx_command",
    "step0",
]
