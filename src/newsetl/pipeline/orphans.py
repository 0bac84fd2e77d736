"""No orphans: the processes a run starts die with it, even when it is killed with -9.

A flow process starts others: Prefect's temporary API server (a uvicorn
process, when no PREFECT_API_URL is set), the extraction pool's fork server,
its workers and multiprocessing's resource tracker. On `kill -9` none of them
is told, and each lived on (about 0.9 GB per killed run).

Two mechanisms, because neither covers everything:

* `start_orphan_guard()` starts a watchdog: a small process (this file, run
  as a script: stdlib only, a few MB) that waits for its parent to die and
  then ends every process whose environment carries the parent's token
  (`NEWSETL_ORPHAN_GUARD`), set in `os.environ` before anything else is
  started, so every process started afterwards inherits it, however deep.
  SIGTERM first (the server closes its database), SIGKILL after
  `GRACE_SECONDS`. It notices the death at once (a pipe only the parent
  holds reaches end of file), and also when its parent pid changes. It is
  in a session of its own, so a Ctrl-C in the terminal does not end it
  before it has cleaned up.
* `die_with_parent()` (the extraction pool's initializer) asks Linux for
  SIGKILL when the worker's parent, the fork server, dies. Not used for
  the fork server itself nor the server: Linux sends that signal when the
  *thread* that started the process ends, and both are started from
  threads that end long before the process does. The fork server needs
  none: it exits when the process that started it is gone.

Linux only (`/proc`, `prctl`); elsewhere both do nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import subprocess
import sys
import threading
import time

GUARD = "NEWSETL_ORPHAN_GUARD"
GRACE_SECONDS = 3.0
_PR_SET_PDEATHSIG = 1

_lock = threading.Lock()
_watchdog: subprocess.Popen[bytes] | None = None
_alive_fd: int | None = None  # the pipe end only this process holds; closed by its death


def start_orphan_guard() -> None:
    """Start this process's watchdog, once; the processes it starts afterwards die with it.

    Call it before starting anything that should not outlive this process
    (`load_flow` and the extraction pool do). Safe to call again, and from
    a child process that inherited another process's guard: it then starts
    its own, so its children die with it and with the outer process.
    """
    global _watchdog, _alive_fd
    if not sys.platform.startswith("linux"):
        return
    with _lock:
        token = os.environ.get(GUARD, "")
        if _watchdog is not None and token.startswith(f"{os.getpid()}:"):
            return
        token = f"{os.getpid()}:{secrets.token_hex(8)}"
        read_end, write_end = os.pipe()  # neither end is inherited by later children
        try:
            _watchdog = subprocess.Popen(
                [sys.executable, "-I", os.path.abspath(__file__), token, str(os.getpid()),
                 str(read_end)],
                pass_fds=(read_end,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            os.close(write_end)
            return  # cannot start a process at all: the run will say so itself
        finally:
            os.close(read_end)
        _alive_fd = write_end
        os.environ[GUARD] = token


def die_with_parent() -> None:
    """Have Linux SIGKILL this process when its parent (thread) dies; a process initializer."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request: nobody will send it
        os._exit(1)


def _guarded(token: str) -> list[int]:
    """Pids of the processes whose environment (as started) carries `token`."""
    needle = f"{GUARD}={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                environ = fh.read().split(b"\0")
            with open(f"/proc/{name}/stat", "rb") as fh:
                zombie = fh.read().rsplit(b")", 1)[-1].split()[0] == b"Z"
        except OSError:
            continue  # gone, or not ours to read
        if needle in environ and not zombie:
            found.append(int(name))
    return found


def _end_all(token: str) -> None:
    """SIGTERM the guarded processes, then SIGKILL those still there after the grace time."""
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, GRACE_SECONDS)):
        victims = _guarded(token)
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while victims and time.monotonic() < deadline:
            time.sleep(0.1)
            victims = _guarded(token)


def _watch(token: str, parent: int, alive_fd: int) -> None:
    """Wait for `parent` to die, then end what it started."""
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # only the parent's death ends this process
    while True:
        ready, _, _ = select.select([alive_fd], [], [], 1.0)
        if ready and not os.read(alive_fd, 1):
            break
        if os.getppid() != parent:
            break
    _end_all(token)


if __name__ == "__main__":
    _watch(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
