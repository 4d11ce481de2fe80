"""The container's start command, run exactly as the image runs it (no Docker engine here).

Reads CMD and ENV from the Dockerfile and the pgadmin-py service's environment and project mount
from compose.yaml, so a change to either is exercised by CI.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl

ROOT = Path(__file__).resolve().parents[3]


def dockerfile_cmd_and_env() -> tuple[list[str], dict[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    runtime = text.split("\nFROM ")[-1]  # the final stage
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", runtime, re.MULTILINE).group(1))  # type: ignore[union-attr]
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.*)$", runtime, re.MULTILINE):
        env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    # The image's PATH starts with its virtualenv; here this interpreter's bin directory stands in for it.
    assert env.pop("PATH").startswith("/opt/pgadmin-py/bin:")
    return cmd, env


def dockerfile_healthcheck() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*? CMD (\[.*\])$", text.split("\nFROM ")[-1], re.MULTILINE)
    assert match, "the image has no HEALTHCHECK"
    return list(json.loads(match.group(1)))


def dockerfile_left_out_imports() -> list[str]:
    """Top-level modules of the distributions the Dockerfile's build stage leaves out (``ARG LEFT_OUT``), but
    psycopg-binary, which the image replaces with psycopg-c (same code; here psycopg needs one of them)."""
    match = re.search(r'^ARG LEFT_OUT="([^"]*)"$', (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert match, "the Dockerfile has no ARG LEFT_OUT"
    left_out = {re.sub(r"[-_.]+", "-", name).lower() for name in match.group(1).split()} - {"psycopg-binary"}
    assert {"polyfactory", "faker"} <= left_out
    modules = [module for module, dists in importlib.metadata.packages_distributions().items()
               if {re.sub(r"[-_.]+", "-", d).lower() for d in dists} <= left_out and module.isidentifier()]
    assert {"polyfactory", "faker"} <= set(modules)
    return sorted(modules)


def compose_service_env() -> dict[str, str]:
    text = (ROOT / "compose.yaml").read_text()
    service = text.split("  pgadmin-py:")[1].split("\nvolumes:")[0]
    block = service.split("environment:")[1].split("volumes:")[0]
    env = dict(re.findall(r"^\s+(\w+):\s*(\S+)\s*$", block, re.MULTILINE))
    return {k: v for k, v in env.items() if not v.startswith("${")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_image_start_command_serves_the_mounted_project(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    cmd, image_env = dockerfile_cmd_and_env()
    assert cmd == ["pgadmin-py", "serve"]
    assert image_env["HOST"] == "0.0.0.0"
    compose_env = compose_service_env()
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src" / "pgadmin_py" / "demo", project / "demo",
                    ignore=shutil.ignore_patterns("__pycache__"))  # the read-only mount of compose.yaml
    # What the image leaves out (litestar's OpenAPI examples, CLI and test client) cannot be imported here either.
    absent = tmp_path / "not-in-the-image"
    for package in dockerfile_left_out_imports():
        (absent / package).mkdir(parents=True)
        (absent / package / "__init__.py").write_text(f"raise ImportError('{package} is not in the image')\n")
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if k not in ("SQLALCHEMY_BASE", "ALEMBIC_CONFIG", "DATABASE_URL")},
           **image_env, **compose_env,
           "DATABASE_URL": demo_db.libpq(), "PORT": str(port), "DATA_DIR": str(tmp_path / "data"),
           "BACKUP_DIR": str(tmp_path / "data" / "backups"), "PROJECT_DIR": str(project),
           "PYTHONPATH": f"{absent}{os.pathsep}{project}",
           "ALEMBIC_CONFIG": str(project / "demo" / "alembic.ini")}
    env.pop("AUTH_PASSWORD", None)  # the compose default password is replaced by the generated token here
    bin_dir = str(Path(sys.executable).parent)
    executable = shutil.which(cmd[0], path=bin_dir) or cmd[0]
    log = (tmp_path / "server.log").open("w+")
    proc = subprocess.Popen([executable, *cmd[1:]], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=project)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the container command did not start serving"
                time.sleep(0.2)
        health = dockerfile_healthcheck()  # Docker runs it in the container, with the container's environment
        probe = [shutil.which(health[0], path=bin_dir) or health[0], *health[1:]]
        assert subprocess.run(probe, env=env, capture_output=True, timeout=30).returncode == 0
        elsewhere = subprocess.run(probe, env={**env, "PORT": str(_free_port())}, capture_output=True, timeout=30)
        assert elsewhere.returncode == 1 and b"unhealthy" in elsewhere.stderr  # it follows PORT
        ready = urllib.request.urlopen(f"{base}/readyz", timeout=5)
        assert json.load(ready) == {"status": "ready"}  # no server version for anonymous callers
        for host, status in (("evil.example", 400), (f"localhost.evil.example:{port}", 400), ("localhost", 302)):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/", headers={"Host": host})  # DNS rebinding: another name on the same socket
            answer = conn.getresponse()
            assert (answer.status, host) == (status, host), answer.read()[:300]
            conn.close()
        output = (tmp_path / "server.log").read_text()
        assert "7 models, 8 tables from demo.models:Base" in output
        login = re.search(r"(http://127\.0\.0\.1:\d+/login\?token=[\w-]+)", output)
        assert login, output
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        anonymous = urllib.request.urlopen(f"{base}/", timeout=5)  # redirected: a token is required on 0.0.0.0
        assert anonymous.geturl() == f"{base}/login"
        assert 'name="token"' in anonymous.read().decode()
        dashboard = opener.open(login.group(1), timeout=5).read().decode()
        assert "Pending migrations" in dashboard
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
