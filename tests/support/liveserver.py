"""The real server as a child process (``python -m pgadmin_py serve`` on a free port), driven over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

_TOKEN = re.compile(r'"x-csrftoken":\s*"([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], log_path: Path, *, base: dict[str, str] | None = None) -> None:
        """``base``: the environment ``env`` is added to (default: the test runner's own)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("a")
        self.log_path = log_path
        self.process = subprocess.Popen([sys.executable, "-m", "pgadmin_py", "serve"],
                                        env={**(os.environ if base is None else base), **env, "HOST": "127.0.0.1",
                                             "PORT": str(self.port)},
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()}")
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {log_path.read_text()}")

    def post_form(self, path: str, data: dict[str, str], page: str = "/migrations") -> httpx.Response:
        match = _TOKEN.search(self.http.get(page).text)
        assert match, f"no CSRF token on {page}"
        return self.http.post(path, data=data, headers={"x-csrftoken": match.group(1)})

    def kill9(self) -> None:
        """SIGKILL: no shutdown hook, no cleanup, as the kernel's OOM killer or a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()
