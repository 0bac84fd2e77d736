"""A local Prefect server on 127.0.0.1: kept in the background, or for one command.

`newsetl server start` leaves a server running, its state (pid, port, log) in
`$PREFECT_HOME/newsetl-server.json`, so flow commands reuse it instead of
paying Prefect's temporary server start-up (6-16 s) each time, and its runs and
logs stay in one UI. `newsetl serve` without a kept server starts one for as
long as it runs (`local_server`). Both go through `spawn`, which tells the UI
its API is on the server's own port (by default the UI assumes 4200, so a server
on any other port showed an empty, failing UI).

Standard library only (Prefect runs in the server's own process): flow
commands call this before they import Prefect, which reads PREFECT_API_URL then.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from newsetl.pipeline.orphans import GUARD as ORPHAN_GUARD

HOST = "127.0.0.1"  # loopback only: the local server has no authentication
START_TIMEOUT = 90.0  # seconds; a first start migrates the database (~10 s)
STOP_TIMEOUT = 15.0  # seconds of grace after SIGTERM before SIGKILL
HEALTH_TIMEOUT = 2.0  # seconds for one health request
LOG_TAIL_LINES = 20
STATE_FILE = "newsetl-server.json"
# The project's checkout (src/newsetl/pipeline/ is three folders down): Prefect's state
# lives in its `.prefect/` unless PREFECT_HOME says otherwise.
_PROJECT_ROOT = Path(__file__).resolve().parents[3]


def prefect_home() -> Path:
    """Where Prefect (and the kept server) keep their state: $PREFECT_HOME, else the
    project's `.prefect/`, the one answer the CLI and `serve` both use."""
    return Path(os.environ.get("PREFECT_HOME") or _PROJECT_ROOT / ".prefect")
LOG_FILE = "server.log"


class ServerError(RuntimeError):
    """The local Prefect server did not come up, or cannot be stopped."""


@dataclass(frozen=True)
class KeptServer:
    """A background server started by `start_kept`: what `status` and flow commands need."""

    pid: int
    port: int
    log: str

    @property
    def url(self) -> str:
        """The UI's address."""
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for PREFECT_API_URL."""
        return f"{self.url}/api"


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on now (the OS picks it; a race is possible but rare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_command(port: int, host: str = HOST) -> list[str]:
    """`prefect server start` from this interpreter's environment, scheduler on."""
    return [sys.executable, "-m", "prefect", "server", "start", "--host", host,
            "--port", str(port), "--analytics-off"]


def server_environment(home: Path, port: int | None = None) -> dict[str, str]:
    """The server's environment: state in `home`, telemetry off, not a client of another.

    With `port`, the UI is told its API is on that port: `--port` alone moves
    the server but not the UI, which would keep asking port 4200.
    """
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1")
    if port is not None:
        env.update(PREFECT_SERVER_API_HOST=HOST, PREFECT_SERVER_API_PORT=str(port),
                   PREFECT_SERVER_UI_API_URL=f"http://{HOST}:{port}/api",
                   # a local tool's UI: no "Upgrade" prompts for the hosted service
                   PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false")
        env.pop("PREFECT_UI_API_URL", None)  # an older alias would win over ours
    return env


def is_healthy(api_url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    """Whether `<api_url>/health` answers 200 now."""
    # No proxy: the server is on this machine, and a configured proxy would not reach it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:  # refused, reset, timed out, or an HTTP error while it starts
        return False


def wait_for_health(api_url: str, timeout: float,
                    process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `<api_url>/health` until it answers 200; ServerError on timeout or early exit."""
    deadline = time.monotonic() + timeout
    while not is_healthy(api_url):
        if process is not None and process.poll() is not None:
            raise ServerError(f"the Prefect server exited (status {process.returncode}) "
                              f"before {api_url}/health answered")
        if time.monotonic() >= deadline:
            raise ServerError(f"no answer from {api_url}/health after {timeout:.0f} s")
        time.sleep(0.25)


def log_tail(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of the server's log, to explain a failed start."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def start_timeout() -> float:
    """How long to wait for a server to answer its health check: the user's
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (the CLI sets 120), else
    `START_TIMEOUT`. A deadline, not a wait: the health check is polled, and a
    server that answers after 2 s is used after 2 s."""
    try:
        return float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])
    except (KeyError, ValueError):
        return START_TIMEOUT


def spawn(home: Path, timeout: float | None = None,
          kept: bool = False) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server on a free loopback port in its own session; wait until it answers.

    Its own session: a Ctrl-C in the terminal does not reach it, and stopping
    its process group takes any children with it. On failure it is stopped and
    ServerError carries the end of its log. A `kept` server is no orphan of
    the command that starts it: the orphan guard's token is not passed on.
    """
    timeout = start_timeout() if timeout is None else timeout
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / LOG_FILE
    env = server_environment(home, port)
    if kept:
        env.pop(ORPHAN_GUARD, None)
    with log.open("wb") as log_file:
        process = subprocess.Popen(server_command(port), env=env,
                                   stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_health(f"http://{HOST}:{port}/api", timeout, process)
    except ServerError as err:
        stop_process(process)
        raise ServerError(f"{err}; last lines of {log}:\n{log_tail(log)}") from None
    except BaseException:
        stop_process(process)
        raise
    return process, port


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's whole process group, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def local_server(home: Path, timeout: float | None = None) -> Iterator[str]:
    """A server for the length of the `with` block: yields its API URL, always stops it."""
    process, port = spawn(home, timeout)
    try:
        print(f"newsetl: Prefect server (pid {process.pid}) at http://{HOST}:{port} "
              f"(UI: flow runs, deployments, logs); its log: {home / LOG_FILE}", flush=True)
        yield f"http://{HOST}:{port}/api"
    finally:
        stop_process(process)


# The temporary server of one flow command -----------------------------------


def temporary_server_command(port: int, host: str = HOST) -> list[str]:
    """Prefect's own temporary server (`SubprocessASGIServer`): its API under uvicorn,
    no UI, no background services; found without importing Prefect (1-3 s)."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError("Prefect is not installed in this environment")
    app_dir = Path(next(iter(spec.submodule_search_locations))).parent
    return [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
            "prefect.server.api.server:create_app", "--host", host, "--port", str(port),
            "--log-level", "error", "--lifespan", "on"]


def start_temporary(home: Path, timeout: float) -> tuple[subprocess.Popen[bytes], str]:
    """Start the temporary server a flow command uses when no kept one runs; (process,
    its API URL). The caller stops it (`stop_process`) when the command ends.

    What Prefect would start by itself, but in a session of its own: a
    Ctrl-C in the terminal reached Prefect's server too, which died while the
    flow still had to record its end, and the command then hung. Here only
    the command sees the Ctrl-C and stops the server last. Its output goes to
    a log in `home`, removed after a clean stop.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / f"temporary-server-{port}.log"
    env = server_environment(home)
    env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1",
               PREFECT__SERVER_FINAL="1")
    with log.open("wb") as log_file:
        process = subprocess.Popen(temporary_server_command(port), env=env,
                                   stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    api_url = f"http://{HOST}:{port}/api"
    try:
        wait_for_health(api_url, timeout, process)
    except ServerError as err:
        stop_process(process)
        raise ServerError(f"{err}; last lines of {log}:\n{log_tail(log)}") from None
    except BaseException:  # Ctrl-C while it starts: nothing went wrong with it
        stop_process(process)
        log.unlink(missing_ok=True)
        raise
    return process, api_url


def stop_temporary(process: subprocess.Popen[bytes], home: Path) -> None:
    """Stop a server of `start_temporary` and remove its log when it ended cleanly."""
    stop_process(process)
    if process.returncode in (0, -signal.SIGTERM):
        port = process.args[process.args.index("--port") + 1]  # type: ignore[union-attr]
        (home / f"temporary-server-{port}.log").unlink(missing_ok=True)


# The kept server ------------------------------------------------------------


def _state_file(home: Path) -> Path:
    return home / STATE_FILE


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def _is_our_server(pid: int) -> bool:
    """Whether `pid` still runs `prefect server start` (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # no /proc (not Linux): trust the pid
        return _pid_alive(pid)
    return b"prefect" in cmdline and b"server" in cmdline and b"start" in cmdline


def read_state(home: Path) -> KeptServer | None:
    """The kept server recorded in `home`, whether or not it still runs."""
    try:
        data = json.loads(_state_file(home).read_text(encoding="utf-8"))
        return KeptServer(pid=int(data["pid"]), port=int(data["port"]), log=str(data["log"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running(home: Path) -> KeptServer | None:
    """The kept server of `home` if it runs and answers; stale state is removed."""
    state = read_state(home)
    if state is None:
        return None
    if not _is_our_server(state.pid):
        _state_file(home).unlink(missing_ok=True)
        return None
    return state if is_healthy(state.api_url) else None


def start_kept(home: Path, timeout: float | None = None) -> tuple[KeptServer, bool]:
    """Start the kept server of `home` unless one runs; (server, whether it was started now).

    The process is not waited for: it outlives this command until `stop_kept`.
    """
    current = read_state(home)
    if current is not None and _is_our_server(current.pid):
        # may be still starting
        wait_for_health(current.api_url, start_timeout() if timeout is None else timeout)
        return current, False
    process, port = spawn(home, timeout, kept=True)
    server = KeptServer(pid=process.pid, port=port, log=str(home / LOG_FILE))
    _state_file(home).write_text(json.dumps(asdict(server)) + "\n", encoding="utf-8")
    # Popen would warn that it "is still running" when collected: it is meant to.
    process.returncode = 0
    return server, True


def stop_kept(home: Path) -> KeptServer | None:
    """Stop the kept server of `home`; the server stopped, or None if none ran."""
    state = read_state(home)
    if state is None:
        return None
    _state_file(home).unlink(missing_ok=True)
    if not _is_our_server(state.pid):
        return None
    # Its own process group (`spawn`): the signal reaches the web server it started too.
    with suppress(ProcessLookupError):
        os.killpg(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _is_our_server(state.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _is_our_server(state.pid):
        with suppress(ProcessLookupError):
            os.killpg(state.pid, signal.SIGKILL)
    return state


def kept_api_url(home: Path) -> str | None:
    """PREFECT_API_URL for flow commands: the kept server's, when one runs in `home`."""
    server = running(home)
    return None if server is None else server.api_url
