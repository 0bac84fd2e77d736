"""`newsetl server start|status|stop`: a real kept Prefect server in a temp PREFECT_HOME.

One server for the module (a start costs 10-20 s here): started through the CLI,
used by a real `newsetl backfill`, asked over HTTP on 127.0.0.1, then stopped,
and no process of it may be left.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil
import pytest

from newsetl.pipeline import prefect_server
from tests.conftest import REPO

NEWSETL = [sys.executable, "-m", "newsetl.cli"]
CLI_TIMEOUT = 240  # seconds: a first server start migrates a fresh database
# No proxy: everything asked here is on 127.0.0.1.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Kept:
    """The module's kept server: where it keeps state, how to call the CLI, where it runs."""

    home: Path
    env: dict[str, str]
    pid: int
    port: int
    start_output: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1")
    return env


def _cli(env: dict[str, str], *args: str, cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSETL, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT, check=False)


def _get_json(url: str, body: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with OPENER.open(request, timeout=30) as response:
        return json.loads(response.read())


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kept]:
    home = tmp_path_factory.mktemp("prefect-home")
    env = _env(home)
    result = _cli(env, "server", "start")
    state_file = home / prefect_server.STATE_FILE
    pid = json.loads(state_file.read_text())["pid"] if state_file.exists() else None
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        found = re.search(r"^PREFECT_API_URL=http://127\.0\.0\.1:(\d+)/api$", result.stdout,
                          re.MULTILINE)
        assert found, result.stdout
        assert pid is not None
        yield Kept(home=home, env=env, pid=pid, port=int(found.group(1)),
                   start_output=result.stdout)
    finally:  # whatever the tests did, nothing of the server outlives the module
        _cli(env, "server", "stop")
        if pid is not None and not _gone(pid):
            os.killpg(pid, 9)


def test_start_prints_the_api_url_and_the_ui(kept: Kept) -> None:
    assert "started" in kept.start_output
    assert f"UI: {kept.base}" in kept.start_output
    again = _cli(kept.env, "server", "start")
    assert again.returncode == 0
    assert "already running" in again.stdout
    assert f"PREFECT_API_URL={kept.base}/api" in again.stdout


def test_status_says_where_it_runs(kept: Kept) -> None:
    result = _cli(kept.env, "server", "status")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("running")
    assert f"PREFECT_API_URL={kept.base}/api" in result.stdout
    assert f"pid {kept.pid}" in result.stdout


def test_the_ui_is_told_the_servers_own_port(kept: Kept) -> None:
    settings = _get_json(f"{kept.base}/ui-settings")
    assert isinstance(settings, dict)
    assert settings["api_url"] == f"{kept.base}/api"


def test_a_backfill_runs_on_the_kept_server(kept: Kept, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    result = _cli(kept.env, "backfill", str(REPO / "seeds"), "-w", str(warehouse), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Prefect server {kept.base}" in result.stderr
    runs = _get_json(f"{kept.base}/api/flow_runs/filter", {"limit": 50})
    assert isinstance(runs, list)
    ours = [run for run in runs if run["parameters"].get("warehouse") == str(warehouse)]
    assert len(ours) == 1, [run["parameters"] for run in runs]
    assert ours[0]["state_type"] == "COMPLETED"


def test_a_no_op_backfill_makes_no_flow_run_and_new_work_does(kept: Kept,
                                                                 tmp_path: Path) -> None:
    """Issue 18: a backfill with nothing new is recorded in `runs` without Prefect; one
    with a changed file runs the flow, on the kept server, as before."""
    archive, warehouse = tmp_path / "archive", tmp_path / "w.duckdb"
    archive.mkdir()
    page = archive / "seed.txt"
    page.write_bytes((REPO / "seeds" / "000_23bec2932da9a753.txt").read_bytes())

    def flow_runs() -> list[dict]:
        runs = _get_json(f"{kept.base}/api/flow_runs/filter", {"limit": 200})
        assert isinstance(runs, list)
        return [run for run in runs if run["parameters"].get("warehouse") == str(warehouse)]

    def backfill() -> str:
        result = _cli(kept.env, "backfill", str(archive), "-w", str(warehouse), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert "1 loaded" in backfill() and len(flow_runs()) == 1
    out = backfill()
    assert "0 loaded" in out and "1 skipped" in out and "(nothing new: no flow run)" in out
    assert len(flow_runs()) == 1  # no flow run for the no-op
    page.write_bytes(page.read_bytes() + b"\n\nA paragraph added later to the story.")
    out = backfill()
    assert "1 updated" in out and "nothing new" not in out
    assert [run["state_type"] for run in flow_runs()] == ["COMPLETED", "COMPLETED"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT status, seen, loaded, updated, skipped FROM runs "
                           "ORDER BY started_at").fetchall() == [
            ("ok", 1, 1, 0, 0), ("ok", 1, 0, 0, 1), ("ok", 1, 0, 1, 0)]


def test_a_temporary_server_is_out_of_reach_of_the_terminals_ctrl_c(tmp_path: Path) -> None:
    """The server a flow command starts when none is kept: its own session (a Ctrl-C in
    the terminal does not reach it), healthy, and gone with its log after a clean stop."""
    process, api_url = prefect_server.start_temporary(tmp_path, timeout=CLI_TIMEOUT)
    try:
        assert os.getsid(process.pid) == process.pid != os.getsid(0)
        assert prefect_server.is_healthy(api_url)
        assert list(tmp_path.glob("temporary-server-*.log"))
    finally:
        prefect_server.stop_temporary(process, tmp_path)
    assert _gone(process.pid) and not prefect_server.is_healthy(api_url)
    assert not list(tmp_path.glob("temporary-server-*.log"))


def test_the_start_deadline_is_the_users_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", raising=False)
    assert prefect_server.start_timeout() == prefect_server.START_TIMEOUT
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "7")
    assert prefect_server.start_timeout() == 7.0


def test_stop_ends_it_and_leaves_no_process(kept: Kept) -> None:
    family = [kept.pid, *(child.pid for child in psutil.Process(kept.pid).children(True))]
    result = _cli(kept.env, "server", "stop")
    assert result.returncode == 0
    assert f"stopped the Prefect server (pid {kept.pid}" in result.stdout
    left = [pid for pid in family if not _gone(pid)]
    assert not left, f"still running after stop: {left}"
    status = _cli(kept.env, "server", "status")
    assert status.returncode == 1
    assert status.stdout.startswith("not running")
    assert not prefect_server.is_healthy(f"{kept.base}/api")
    assert not (kept.home / prefect_server.STATE_FILE).exists()


def test_stale_state_is_not_a_running_server(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state = tmp_path / prefect_server.STATE_FILE
    state.write_text(json.dumps({"pid": dead.pid, "port": prefect_server.free_port(),
                                 "log": "server.log"}))
    env = _env(tmp_path)
    status = _cli(env, "server", "status")
    assert status.returncode == 1 and status.stdout.startswith("not running")
    assert not state.exists()
    stop = _cli(env, "server", "stop")
    assert (stop.returncode, stop.stdout.strip()) == (0, "no kept Prefect server was running")


def test_server_environment_points_the_ui_at_its_port(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere.example/api")
    monkeypatch.setenv("PREFECT_UI_API_URL", "http://127.0.0.1:4200/api")
    env = prefect_server.server_environment(tmp_path, 4321)
    assert "PREFECT_API_URL" not in env and "PREFECT_UI_API_URL" not in env
    assert env["PREFECT_SERVER_UI_API_URL"] == "http://127.0.0.1:4321/api"
    assert (env["PREFECT_SERVER_API_HOST"], env["PREFECT_SERVER_API_PORT"]) == (
        "127.0.0.1", "4321")
    assert env["PREFECT_HOME"] == str(tmp_path)
