"""The client of :mod:`tests.rigs.warm`: ``python -I warm_client.py SOCKET PYTHON -m MODULE ARGS...``.

It hands its standard streams (a pseudo-terminal, pipes), its environment and its working
folder to the warm interpreter serving ``SOCKET``, which forks ``python -m MODULE ARGS...`` with
them; it passes on every signal a terminal or a test sends it (Ctrl-C, a hang-up, a resize) to
that process's group, and ends as that process ended: the same exit status, or the same signal.
Without a server at ``SOCKET`` it runs the command itself (``exec``): the same program, started
cold. The standard library only: it starts in milliseconds (``-I``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGWINCH)


def main() -> None:
    path, command = sys.argv[1], sys.argv[2:]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        server.connect(path)
    except OSError:  # no warm interpreter: the command, cold
        os.execv(command[0], command)
    umask = os.umask(0o077)
    os.umask(umask)
    request = {"argv": command, "env": dict(os.environ), "cwd": os.getcwd(), "umask": umask}
    socket.send_fds(server, [json.dumps(request).encode()], [0, 1, 2])
    pid = json.loads(server.recv(1 << 16))["pid"]

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):  # it has just ended
            os.killpg(pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    reply = server.recv(1 << 16)
    if not reply:  # the server went away
        sys.exit(255)
    status = json.loads(reply)["status"]
    if os.WIFSIGNALED(status):
        ended_by = os.WTERMSIG(status)
        signal.signal(ended_by, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {ended_by})
        os.kill(os.getpid(), ended_by)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
