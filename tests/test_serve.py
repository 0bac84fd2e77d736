"""`flows/serve.py`: the plain parts on their own, then one real served schedule end to end."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import pytest

from newsetl.web.sources import Schedule, SourcesError, load_sources
from tests.conftest import REPO

if TYPE_CHECKING:
    from collections.abc import Callable

    from prefect.client.schemas.objects import FlowRun

T = TypeVar("T")

E2E_TIMEOUT = 120.0  # seconds: the whole end-to-end test, so it can never hang CI


def _stop(serving: subprocess.Popen, deadline: float) -> None:
    """Stop `serve` as a service manager would (SIGTERM), killing it if it hangs."""
    serving.send_signal(signal.SIGTERM)
    try:
        serving.wait(max(deadline - time.monotonic(), 30))
    except subprocess.TimeoutExpired:
        serving.kill()
        serving.wait()


@pytest.fixture(scope="module")
def serve_mod() -> ModuleType:
    """`flows/serve.py`, imported by path as the CLI does (flows/ is not a package)."""
    spec = importlib.util.spec_from_file_location("newsetl_flows.serve",
                                                  REPO / "flows" / "serve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schedule_kwargs_cron_and_interval(serve_mod: ModuleType) -> None:
    assert serve_mod.schedule_kwargs(Schedule(cron="*/30 * * * *")) == {"cron": "*/30 * * * *"}
    assert serve_mod.schedule_kwargs(Schedule(interval_seconds=3600)) == {
        "interval": timedelta(hours=1)}


def test_deployment_specs_one_per_enabled_source(serve_mod: ModuleType, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_sources(REPO / "sources.example.toml")
    specs = serve_mod.deployment_specs(config, "sources.toml", "wh/x.duckdb")
    # `backfill` is disabled in the example: no deployment for it.
    assert [s["name"] for s in specs] == ["ingest-coast-gazette", "ingest-harbour-news"]
    assert specs[0]["cron"] == "*/30 * * * *"
    assert specs[1]["interval"] == timedelta(hours=1)
    assert specs[0]["parameters"] == {"sources_file": str(tmp_path / "sources.toml"),
                                      "source": "coast-gazette",
                                      "warehouse": str(tmp_path / "wh" / "x.duckdb")}
    assert serve_mod.deployment_specs(config, "s.toml", None)[0]["parameters"]["warehouse"] is None


def test_build_deployments_one_run_per_source_at_a_time(serve_mod: ModuleType) -> None:
    from prefect import flow

    @flow(name="ingest")
    def stand_in(sources_file: str = "sources.toml", source: str | None = None,
                 warehouse: str | None = None) -> dict:
        return {}

    config = load_sources(REPO / "sources.example.toml")
    [gazette, harbour] = serve_mod.build_deployments(stand_in, config, "sources.toml", None)
    assert (gazette.name, harbour.name) == ("ingest-coast-gazette", "ingest-harbour-news")
    assert gazette.schedules[0].schedule.cron == "*/30 * * * *"
    assert harbour.schedules[0].schedule.interval == timedelta(hours=1)
    assert gazette.concurrency_limit == 1
    assert gazette.concurrency_options.collision_strategy.value == "CANCEL_NEW"


def test_serve_sources_refuses_a_config_with_nothing_enabled(serve_mod: ModuleType,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[sources.off]\nkind = "feed"\nurl = "https://a.example/rss"\n'
                    'schedule = "1h"\nenabled = false\n', encoding="utf-8")
    with pytest.raises(SourcesError, match="no enabled source"):
        serve_mod.serve_sources(str(path), None, limit=1)


def test_free_port_is_bindable_on_loopback(serve_mod: ModuleType) -> None:
    port = serve_mod.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_server_command_and_environment(serve_mod: ModuleType, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    command = serve_mod.server_command(4321)
    assert command[:5] == [sys.executable, "-m", "prefect", "server", "start"]
    assert command[5:9] == ["--host", "127.0.0.1", "--port", "4321"]
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere.example/api")
    env = serve_mod.server_environment(tmp_path)
    assert "PREFECT_API_URL" not in env
    assert (env["PREFECT_HOME"], env["PREFECT_SERVER_ANALYTICS_ENABLED"],
            env["DO_NOT_TRACK"]) == (str(tmp_path), "false", "1")


def test_wait_for_health_times_out_clearly_on_a_closed_port(serve_mod: ModuleType) -> None:
    url = f"http://127.0.0.1:{serve_mod.free_port()}/api"
    with pytest.raises(serve_mod.ServerError, match=re.escape(f"no answer from {url}/health")):
        serve_mod.wait_for_health(url, timeout=0.5)


def test_wait_for_health_notices_a_server_that_died(serve_mod: ModuleType) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    url = f"http://127.0.0.1:{serve_mod.free_port()}/api"
    with pytest.raises(serve_mod.ServerError, match=r"exited \(status 3\)"):
        serve_mod.wait_for_health(url, timeout=30, process=dead)


def test_wait_for_health_returns_once_health_answers(serve_mod: ModuleType) -> None:
    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with HTTPServer(("127.0.0.1", 0), Health) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            serve_mod.wait_for_health(f"http://127.0.0.1:{server.server_port}/api", timeout=10)
        finally:
            server.shutdown()


TINY_FLOW = '''
from prefect import flow

@flow(name="ingest")
def ingest(sources_file: str = "sources.toml", source: str | None = None,
           warehouse: str | None = None) -> dict:
    return {"source": source}
'''

SERVE_SCRIPT = f'''
import importlib.util
from prefect.flows import load_flow_from_entrypoint
from newsetl.web.sources import load_sources

spec = importlib.util.spec_from_file_location("serve", {str(REPO / "flows" / "serve.py")!r})
serve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve)
tiny = load_flow_from_entrypoint("tiny.py:ingest")
deployments = serve.build_deployments(tiny, load_sources("sources.toml"), "sources.toml", None)
serve.serve_deployments(deployments, limit=1)
'''

SOURCES = '''
[sources.tick]
kind = "feed"
url = "https://tick.example/rss.xml"
schedule = "5s"

[sources.off]
kind = "feed"
url = "https://off.example/rss.xml"
schedule = "5s"
enabled = false
'''


def _wait_for(find: Callable[[], T | None], deadline: float, what: str, output: Path) -> T:
    """Poll `find` until it returns something; fail with serve's output at the deadline."""
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; serve printed:\n"
                         f"{output.read_text(encoding='utf-8', errors='replace')[-3000:]}")


def _completed_tick_runs(api_url: str) -> list[FlowRun]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}), \
            get_client(sync_client=True) as client:
        deployments = {d.name for d in client.read_deployments()}
        assert deployments <= {"ingest-tick"}, deployments
        return [run for run in client.read_flow_runs()
                if run.auto_scheduled and run.state is not None and run.state.is_completed()]


def test_serve_runs_a_scheduled_flow_on_its_own_local_server(tmp_path: Path) -> None:
    """Real `prefect server start` on 127.0.0.1 via our code, a 5 s schedule, a completed
    run seen through the API; then SIGTERM, and neither serve nor the server is left."""
    deadline = time.monotonic() + E2E_TIMEOUT
    (tmp_path / "tiny.py").write_text(TINY_FLOW, encoding="utf-8")
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "serve_tiny.py").write_text(SERVE_SCRIPT, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PYTHONPATH=str(REPO))
    output = tmp_path / "serve.out"
    with output.open("wb") as out:
        serving = subprocess.Popen([sys.executable, "serve_tiny.py"], cwd=tmp_path, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    server_pid = port = None
    try:
        started = _wait_for(
            lambda: re.search(r"Prefect server \(pid (\d+)\) at http://127\.0\.0\.1:(\d+)",
                              output.read_text(encoding="utf-8", errors="replace")),
            deadline, "the local server", output)
        server_pid, port = int(started.group(1)), int(started.group(2))
        api_url = f"http://127.0.0.1:{port}/api"
        runs = _wait_for(lambda: _completed_tick_runs(api_url), deadline,
                         "a completed scheduled run", output)
        assert runs[0].parameters == {"sources_file": str(tmp_path / "sources.toml"),
                                      "source": "tick", "warehouse": None}
    finally:
        _stop(serving, deadline)
    left_running = server_pid is not None and _alive(server_pid)
    if left_running:  # clean up first, then fail
        os.killpg(server_pid, signal.SIGKILL)
    assert not left_running, "the Prefect server outlived serve"
    assert serving.returncode == 0, output.read_text(encoding="utf-8", errors="replace")
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_uses_a_kept_server_and_leaves_it_running(tmp_path: Path) -> None:
    """With `newsetl server start` running, serve starts no server of its own: its
    scheduled runs land on the kept one, which is still up after serve stops."""
    from newsetl.pipeline import prefect_server

    deadline = time.monotonic() + E2E_TIMEOUT
    (tmp_path / "tiny.py").write_text(TINY_FLOW, encoding="utf-8")
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "serve_tiny.py").write_text(SERVE_SCRIPT, encoding="utf-8")
    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PYTHONPATH=str(REPO))
    newsetl = [sys.executable, "-m", "newsetl.cli", "server"]
    started = subprocess.run([*newsetl, "start"], env=env, capture_output=True, text=True,
                             timeout=E2E_TIMEOUT, check=False)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        kept = prefect_server.read_state(home)
        assert kept is not None
        output = tmp_path / "serve.out"
        with output.open("wb") as out:
            serving = subprocess.Popen([sys.executable, "serve_tiny.py"], cwd=tmp_path,
                                       env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for(lambda: f"Prefect server at {kept.url}" in output.read_text(
                encoding="utf-8", errors="replace"), deadline, "serve to use the kept server",
                output)
            _wait_for(lambda: _completed_tick_runs(kept.api_url), deadline,
                      "a completed scheduled run", output)
        finally:
            _stop(serving, deadline)
        text = output.read_text(encoding="utf-8", errors="replace")
        assert serving.returncode == 0, text
        assert "Prefect server (pid" not in text  # it started none of its own
        assert prefect_server.is_healthy(kept.api_url)
    finally:
        subprocess.run([*newsetl, "stop"], env=env, capture_output=True, timeout=60,
                       check=False)
    assert prefect_server.read_state(home) is None


def test_serve_says_in_one_line_when_its_server_does_not_come_up(tmp_path: Path) -> None:
    """`serve` waits for its own server's health check until a deadline (the user's
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS), then says so in one line, exit 1,
    and leaves no server behind."""
    import psutil

    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    home = tmp_path / "prefect-home"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1")
    before = {p.pid for p in psutil.process_iter()}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "newsetl.cli", "serve", "--sources",
                             str(tmp_path / "sources.toml"), "-w", str(tmp_path / "w.duckdb")],
                            env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=E2E_TIMEOUT)
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(r"error: the Prefect server did not come up: no answer from "
                        r"http://127\.0\.0\.1:\d+/api/health after 1 s "
                        rf"\(its log: {re.escape(str(home / 'server.log'))}\)", line), line
    assert time.monotonic() - started < E2E_TIMEOUT / 2

    def our_server(process: psutil.Process) -> bool:
        try:
            return (process.environ().get("PREFECT_HOME") == str(home)
                    and "prefect" in " ".join(process.cmdline()))
        except (psutil.Error, OSError):
            return False

    assert not [p.pid for p in psutil.process_iter() if p.pid not in before and our_server(p)]
