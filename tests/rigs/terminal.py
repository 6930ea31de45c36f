"""What a user's terminal gives a program it starts: Ctrl-C with its default effect.

A child inherits an ignored or blocked SIGINT from the process that starts it; a test worker
may have either (a library or an earlier test in the same worker), and then a Ctrl-C sent
through the pseudo-terminal is lost and the test waits out its timeout. A terminal a user
opens has neither, so the tests' terminals start their programs that way.
"""

from __future__ import annotations

import signal


def default_ctrl_c() -> None:
    """``preexec_fn`` for ``pexpect.spawn``: SIGINT unblocked, with its default disposition."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
