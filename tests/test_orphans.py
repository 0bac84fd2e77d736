"""kill -9 of a backfill leaves no process behind: server, fork server, workers, helpers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from newsetl.pipeline.orphans import GUARD, start_orphan_guard
from tests.conftest import make_seed_archive

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_until(predicate, limit: float, step: float = 0.2) -> bool:
    """Poll `predicate` until true or `limit` seconds passed (a bound, not a timing)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _cmdlines(procs: list[psutil.Process]) -> list[str]:
    lines = []
    for proc in procs:
        try:
            lines.append(" ".join(proc.cmdline()))
        except psutil.NoSuchProcess:
            continue
    return lines


def test_kill_9_of_a_backfill_ends_the_server_and_the_extraction_processes(tmp_path: Path):
    archive = make_seed_archive(tmp_path / "archive", 400)
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", GUARD)}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # fresh: the temporary server starts
    run = subprocess.Popen(
        [sys.executable, "-m", "newsetl.cli", "backfill", str(archive),
         "--warehouse", str(tmp_path / "w.duckdb"), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(run.pid)
    children: list[psutil.Process] = []
    try:
        def everything_started() -> bool:
            children[:] = parent.children(recursive=True)
            lines = _cmdlines(children)
            return ((any("uvicorn" in line for line in lines)
                    and sum("forkserver" in line for line in lines) >= 3)  # server + 2 workers
                    or run.poll() is not None)

        assert _wait_until(everything_started, 240), "the backfill never started its pool"
        assert run.poll() is None, "the backfill finished before it could be killed"
        lines = _cmdlines(children)
        assert any("orphans.py" in line for line in lines)  # the watchdog
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert _wait_until(lambda: not any(_alive(p) for p in children), 30), (
            f"left behind: {_cmdlines([p for p in children if _alive(p)])}")
    finally:
        run.kill()
        run.wait()
        for proc in children:
            if _alive(proc):
                proc.kill()


def test_a_guarded_process_s_children_die_with_it_and_others_live(tmp_path: Path):
    """Direct check of the watchdog: what starts after the guard dies, what started before lives."""
    script = (
        "import subprocess, sys, time\n"
        "before = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "from newsetl.pipeline.orphans import start_orphan_guard\n"
        "start_orphan_guard()\n"
        "after = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(before.pid, after.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != GUARD}
    run = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                           text=True)
    before = after = None
    try:
        before_pid, after_pid = map(int, run.stdout.readline().split())
        before, after = psutil.Process(before_pid), psutil.Process(after_pid)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert _wait_until(lambda: not _alive(after), 30)
        assert _alive(before)  # started before the guard: not the guard's to end
    finally:
        run.kill()
        run.wait()
        for proc in (before, after):
            if proc is not None and _alive(proc):
                proc.kill()


def test_guard_is_started_once_per_process():
    start_orphan_guard()
    token = os.environ[GUARD]
    start_orphan_guard()
    assert os.environ[GUARD] == token and token.startswith(f"{os.getpid()}:")


def test_a_pool_worker_dies_with_its_parent():
    script = (
        "import os, subprocess, sys, time\n"
        "from newsetl.pipeline.orphans import die_with_parent\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    die_with_parent()\n"
        "    print(os.getpid(), flush=True)  # asked before the parent can be killed\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "time.sleep(60)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != GUARD}
    run = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                           text=True)
    child = None
    try:
        child = psutil.Process(int(run.stdout.readline()))
        assert _alive(child)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert _wait_until(lambda: not _alive(child), 30)
    finally:
        run.kill()
        run.wait()
        if child is not None and _alive(child):
            child.kill()
