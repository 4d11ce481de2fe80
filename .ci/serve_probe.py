#!/usr/bin/env python3
"""Run a pgadmin-py start command, time it to its first 200 on ``/`` and read its idle memory.

Standard library only: it runs on the host against a command that may run in a chroot (``make image-check``)
or in a virtualenv. It follows the one-time login URL the server prints when it listens beyond loopback,
reads ``VmRSS`` from ``/proc/<pid>/status`` once ``/`` answered 200 and the server had a second to settle,
and stops the server with SIGTERM (as ``docker stop`` does). A JSON line on stdout carries the numbers.

Usage: serve_probe.py PORT [--evict DIR ...] [--page PATH ...] -- COMMAND ...
``--evict`` drops DIR's files from the page cache first (posix_fadvise DONTNEED: only those files, not
the machine's whole cache), so they are read from disk again as after a reboot; ``--page`` adds pages that
must answer 200 after ``/``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

DEADLINE_SECONDS = 90


def evict_files(root: Path) -> int:
    """Drop the page-cache pages of every regular file under ``root`` (mount points below it left out);
    return how many files."""
    count = 0
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not os.path.ismount(os.path.join(dirpath, d))]
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(fd)
    return count


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match.group(1))


def get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str, str]:
    """``(status, final URL, body)``; a Host header of ``localhost`` (always accepted by the Host check)."""
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.geturl(), answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


def probe(command: list[str], port: int, *, evict: list[Path] = (), pages: list[str] = (),  # type: ignore[assignment]
          during: Callable[[urllib.request.OpenerDirector, str], None] | None = None) -> dict[str, object]:
    """Start ``command`` (a server on ``port``), time it, read its memory, run ``during`` while it serves, stop it."""
    evicted = sum(evict_files(root) for root in evict)
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w+", prefix="serve-probe-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    result: dict[str, object] = {"log": log.name, "evicted_files": evicted}
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with {proc.returncode}:\n{Path(log.name).read_text()}")
            if time.monotonic() - started > DEADLINE_SECONDS:
                raise SystemExit(f"no answer on {base}/healthz after {DEADLINE_SECONDS} s:\n"
                                 f"{Path(log.name).read_text()}")
            try:
                status, _, body = get(opener, f"{base}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        result["healthz_s"] = round(time.monotonic() - started, 2)
        token = re.search(r"http://[\d.]+:\d+(/login\?token=[\w-]+)", Path(log.name).read_text())
        if token:  # HOST=0.0.0.0 without AUTH_PASSWORD: log in as the user would, with the printed URL
            get(opener, base + token.group(1))
        status, final, body = get(opener, f"{base}/")
        assert (status, final) == (200, f"{base}/"), (status, final, body[:500])
        result["first_page_s"] = round(time.monotonic() - started, 2)
        time.sleep(1.0)
        result["rss_mib"] = round(rss_kib(proc.pid) / 1024, 1)
        for page in pages:
            status, final, body = get(opener, base + page)
            assert status == 200, (page, status, body[:500])
        if pages:
            result["rss_after_pages_mib"] = round(rss_kib(proc.pid) / 1024, 1)
        if during is not None:
            during(opener, base)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--evict", action="append", default=[], type=Path)
    parser.add_argument("--page", action="append", default=[])
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("give the command after --")
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    print(json.dumps(probe(argv[split + 1:], args.port, evict=args.evict, pages=args.page)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
