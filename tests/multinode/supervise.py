"""Run a command (an FDX server) so that it stops by itself: ``supervise.py PARENT LIFETIME -- COMMAND…``.

The harness starts this script as the leader of a new process group, and it starts the command in that
group. It ends the whole group (SIGTERM, then SIGKILL after a grace period) when the test process ``PARENT``
is gone — however it ended, even by SIGKILL — or when ``LIFETIME`` seconds have passed, whichever comes
first. It ignores SIGTERM itself, so that the harness's SIGTERM to the group stops the server gracefully
and this script then exits with the server's status. Standard library only: it runs before anything else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

GRACE_S = 10.0


def main(argv: list[str]) -> int:
    parent, lifetime_s, separator, *command = argv
    if separator != "--" or not command:
        sys.stderr.write("usage: supervise.py PARENT_PID LIFETIME_S -- COMMAND…\n")
        return 2
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    # Only now: an ignored signal stays ignored across exec, and the server must see SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    deadline = time.monotonic() + float(lifetime_s)
    while True:
        try:
            return _status(child.wait(timeout=0.5))
        except subprocess.TimeoutExpired:
            pass
        if os.getppid() != int(parent):
            reason = "the test process is gone"
            break
        if time.monotonic() > deadline:
            reason = f"its lifetime of {lifetime_s} s is over"
            break
    sys.stderr.write(f"supervise.py: stopping the server, {reason}\n")
    return _stop_group(child)


def _stop_group(child: subprocess.Popen) -> int:
    os.killpg(0, signal.SIGTERM)
    try:
        return _status(child.wait(timeout=GRACE_S))
    except subprocess.TimeoutExpired:
        os.killpg(0, signal.SIGKILL)  # ends this script too
        return 128 + signal.SIGKILL


def _status(returncode: int) -> int:
    """The exit status a shell would show: 128 + N for a command ended by signal N."""
    return 128 - returncode if returncode < 0 else returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
