#!/usr/bin/env python3
"""``make image-check``: build the Dockerfile's image on a machine without a container engine, measure it, run it.

The Dockerfile's own instructions run here, as Docker runs them, in chroots (root is needed: chroot, mount):

- ``FROM debian:trixie-slim``: a root filesystem assembled the way the official image is (debuerreotype):
  ``debootstrap --variant=minbase trixie``, upgraded from trixie-updates and -security, its apt/dpkg settings for
  containers, the "slim" removal of documentation, manual pages and translations, ``debian.sources``.
  Made once and kept as a tarball under ``.pgadmin-py/image-check/``. ``FROM <stage>`` starts from a stage,
  ``FROM scratch`` from nothing.
- ``RUN``: ``/bin/sh -c`` in a chroot of the stage as root, in its WORKDIR, with its ENV and ARGs, the host's
  ``resolv.conf``, ``/proc`` and ``/dev/pts``; ``--mount=type=cache`` binds a directory kept under
  ``.pgadmin-py/image-check/``, ``--mount=type=bind,from=<stage>`` a directory of that stage, read-only.
  One addition: this machine reaches PyPI through a TLS-inspecting proxy, so RUN also gets the host's CA bundle
  (``PIP_CERT``), as a build behind such a proxy is given it.
- ``COPY [--from=<stage>]``: from the build context (the repository minus ``.dockerignore``) or a stage.
- ``ARG``, ``ENV``, ``WORKDIR``, ``USER``, ``EXPOSE``, ``VOLUME``, ``HEALTHCHECK``, ``CMD``, ``LABEL``: as Docker.
  Anything else stops the check: teach it here first.

Like Docker's build cache, the result of each RUN and of each COPY from another stage is kept (a tarball keyed by
everything that led to it), and a stage is built only when needed, so a second run redoes only what changed.
Then the final stage is the image: its size (total, per instruction, per part: Python, the virtualenv, the
PostgreSQL tools, the shared libraries...; the Debian packages its files came from), and its start command run in
it as a container engine runs it (chroot, USER, WORKDIR, ENV; ``/proc``, a ``/dev`` with its usual devices, the
host's resolv.conf and hosts), with compose.yaml's environment, the demo project mounted read-only at
``/project/demo``, a ``/data`` volume and ``DATABASE_URL`` at a local PostgreSQL (15 on these machines, older
than the image's tools): ``/healthz``, the HEALTHCHECK command, the first page (cold and warm, with the time to it
and the memory after it), a migration applied through its web page (so with the image's pg_dump taking the
backup), that backup restored through its page, other pages, and pg_dump / pg_restore --list run by hand.

Usage: image_check.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))
import serve_probe  # noqa: E402  (this directory)

WORK = ROOT / ".pgadmin-py" / "image-check"
MIRROR = "http://deb.debian.org/debian"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # the Debian images' PATH
MB = 1_000_000  # Docker reports sizes in SI units
CHECK_DB = "pgadmin_py_image_check"
BUILD_LOG = WORK / "build.log"
# This machine reaches PyPI through a TLS-inspecting proxy whose certificate only the host's trust store holds:
# RUN steps get that bundle, read-only, the way a build behind such a proxy is given it (a secret or build arg).
HOST_CA = Path(os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt")
HOST_TLS = {"PIP_CERT": "/run/image-check/host-ca.crt"}


def say(text: str) -> None:
    print(text, flush=True)


def sh(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], check=True, text=True, **kwargs)


# -- the Dockerfile -------------------------------------------------------------------------------------------

@dataclass
class Instruction:
    op: str
    args: str
    line: int

    @property
    def text(self) -> str:
        return f"{self.op} {self.args}"


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(path: Path) -> tuple[list[Stage], dict[str, str]]:
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    logical = ""
    start = 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        if not logical and (raw.lstrip().startswith("#") or not raw.strip()):
            continue
        if logical and raw.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        if not logical:
            start = number
        if raw.endswith("\\"):
            logical += raw[:-1]  # Docker joins the lines as they are
            continue
        logical += raw
        op, _, args = logical.strip().partition(" ")
        op = op.upper()
        logical = ""
        if op == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(words[0], name))
        elif not stages:
            if op != "ARG":
                raise SystemExit(f"Dockerfile line {start}: {op} before FROM")
            key, _, value = args.strip().partition("=")
            global_args[key] = value
        else:
            stages[-1].instructions.append(Instruction(op, args.strip(), start))
    return stages, global_args


def expand(text: str, env: dict[str, str]) -> str:
    """``$VAR`` and ``${VAR}`` as Dockerfile instructions expand them (unset: empty)."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), text)


def parse_flags(args: str) -> tuple[list[str], str]:
    """Leading ``--flag=value`` words of RUN / COPY, and the rest."""
    flags = []
    rest = args
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        flags.append(word)
        rest = rest.lstrip()
    return flags, rest


def env_pairs(args: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in (w.split("=", 1) for w in shlex.split(args))]


# -- the build context -------------------------------------------------------------------------------------------

def dockerignore() -> list[str]:
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    patterns = [line.strip().rstrip("/") for line in path.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    if any(p.startswith("!") for p in patterns):
        raise SystemExit("image-check does not read .dockerignore exceptions (!pattern): teach it first")
    return patterns


def ignored(rel: str, patterns: list[str]) -> bool:
    """Docker's rule for the context: a pattern matches the path or one of its parent directories."""
    parts = rel.split("/")
    for pattern in patterns:
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if pattern.startswith("**/"):
                if fnmatch.fnmatchcase(parts[depth - 1], pattern[3:]):
                    return True
            elif fnmatch.fnmatchcase(prefix, pattern):
                return True
    return False


def context_files(source: str) -> list[Path]:
    patterns = dockerignore()
    top = ROOT / source
    if top.is_file():
        return [] if ignored(source, patterns) else [top]
    found = []
    for dirpath, dirs, files in os.walk(top):
        rel_dir = Path(dirpath).relative_to(ROOT).as_posix()
        dirs[:] = sorted(d for d in dirs if not ignored(f"{rel_dir}/{d}", patterns))
        found += [Path(dirpath) / f for f in sorted(files) if not ignored(f"{rel_dir}/{f}", patterns)]
    return found


def digest_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.relative_to(ROOT).as_posix().encode() + b"\0")
        h.update(oct(p.stat().st_mode).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


# -- root filesystems ----------------------------------------------------------------------------------------------

def apparent_size(root: Path, *, skip: tuple[str, ...] = ("proc", "sys", "dev")) -> int:
    """Bytes of every file and symlink (hard links once): what Docker reports for a layer's files."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, dirs, files in os.walk(root):
        if Path(dirpath) == root:
            dirs[:] = [d for d in dirs if d not in skip]
        for name in files + [d for d in dirs if (Path(dirpath) / d).is_symlink()]:
            st = os.lstat(os.path.join(dirpath, name))
            if st.st_nlink > 1:
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


def save(root: Path, tar: Path) -> None:
    partial = tar.with_suffix(".partial")
    sh("tar", "--numeric-owner", "--xattrs", "-C", root, "-cf", partial, ".")
    partial.rename(tar)


def restore(tar: Path, root: Path) -> None:
    """``root`` as ``tar`` holds it; nothing to do when it was left that way by the last run."""
    marker = root.with_name(root.name + ".from")
    if root.is_dir() and marker.exists() and marker.read_text() == tar.name:
        return
    wipe(root)
    root.mkdir(parents=True)
    sh("tar", "--numeric-owner", "--xattrs", "-C", root, "-xpf", tar)
    marker.write_text(tar.name)


def touched(root: Path) -> None:
    """``root`` differs from the tarball it came from."""
    root.with_name(root.name + ".from").unlink(missing_ok=True)


def wipe(root: Path) -> None:
    touched(root)
    if root.exists():
        for mounted in reversed(mounts_under(root)):
            subprocess.run(["umount", "-l", mounted], check=False)
        if mounts_under(root):  # never delete through a mount (the repository's demo, caches, /proc)
            raise SystemExit(f"cannot unmount {mounts_under(root)}; unmount them, then run again")
        shutil.rmtree(root)


def mounts_under(root: Path) -> list[str]:
    prefix = str(root.resolve()) + "/"
    return [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
            if line.split()[1].startswith(prefix)]


@contextlib.contextmanager
def mounted(root: Path, binds: list[tuple[Path, str, bool]] = ()) -> Iterator[None]:  # type: ignore[assignment]
    """``/proc``, ``/dev`` (its usual devices), ``/dev/pts``, a ``/dev/shm``, the host's resolv.conf and hosts,
    and ``binds`` (source, target, read-only) mounted in ``root`` for the duration, as Docker provides them to a
    RUN step or a container."""
    done: list[Path] = []
    created: list[Path] = []
    try:
        for path in (root / "proc", root / "dev", root / "dev/pts", root / "dev/shm"):
            if not path.exists():  # an image FROM scratch has none: the engine provides them
                path.mkdir()
                created.append(path)
        sh("mount", "-t", "proc", "proc", root / "proc")
        done.append(root / "proc")
        for name in ("null", "zero", "full", "random", "urandom", "tty"):
            node = root / "dev" / name
            if not node.exists():
                node.touch()
                created.append(node)
                sh("mount", "--bind", f"/dev/{name}", node)
                done.append(node)
        if (root / "dev/pts").is_dir():
            sh("mount", "-t", "devpts", "-o", "newinstance,ptmxmode=0666", "devpts", root / "dev/pts")
            done.append(root / "dev/pts")
        if (root / "dev/shm").is_dir():
            sh("mount", "-t", "tmpfs", "-o", "size=64m", "shm", root / "dev/shm")
            done.append(root / "dev/shm")
        for name in ("resolv.conf", "hosts"):
            target = root / "etc" / name
            if not target.exists() and not target.is_symlink():
                target.touch()
                created.append(target)
            if not target.is_symlink():
                sh("mount", "--bind", f"/etc/{name}", target)
                done.append(target)
        for source, target_path, read_only in binds:
            target = root / target_path.lstrip("/")
            if not target.exists():
                missing = target
                while not missing.parent.exists():
                    missing = missing.parent
                if source.is_dir():
                    target.mkdir(parents=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.touch()
                created.append(missing)
            sh("mount", "--bind", source, target)
            done.append(target)
            if read_only:
                sh("mount", "-o", "remount,bind,ro", target)
        yield
    finally:
        for target in reversed(done):
            if subprocess.run(["umount", target], check=False, capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", target], check=False)
        for path in reversed(created):
            if mounts_under(path) or os.path.ismount(path):
                continue  # still mounted: leave it rather than delete through it
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def chroot_env(env: dict[str, str], user_home: str = "/root") -> dict[str, str]:
    return {"PATH": DEFAULT_PATH, "HOME": user_home, "HOSTNAME": "image-check", **env}


def make_trixie_slim(tar: Path) -> None:
    """debian:trixie-slim as debuerreotype makes it: minbase, container settings, slimmed, no apt lists."""
    root = WORK / "debootstrap"
    wipe(root)
    say(f"== debootstrap --variant=minbase trixie (once; kept as {tar.relative_to(ROOT)})")
    sh("debootstrap", "--variant=minbase", "trixie", root, MIRROR, stdout=subprocess.DEVNULL)
    apt = root / "etc/apt/apt.conf.d"
    (root / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")
    (root / "usr/sbin/policy-rc.d").chmod(0o755)
    (root / "etc/dpkg/dpkg.cfg.d/docker-apt-speedup").write_text("force-unsafe-io\n")
    (apt / "docker-autoremove-suggests").write_text('Apt::AutoRemove::SuggestsImportant "false";\n')
    clean = '"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
    (apt / "docker-clean").write_text(f"DPkg::Post-Invoke {{ {clean} }};\nAPT::Update::Post-Invoke {{ {clean} }};\n"
                                      'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n')
    (apt / "docker-gzip-indexes").write_text('Acquire::GzipIndexes "true";\n')
    (apt / "docker-no-languages").write_text('Acquire::Languages "none";\n')
    (root / "etc/apt/sources.list").unlink(missing_ok=True)
    (root / "etc/apt/sources.list.d/debian.sources").write_text(
        f"Types: deb\nURIs: {MIRROR}\nSuites: trixie trixie-updates\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: trixie-security\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    say("   apt-get dist-upgrade (the official image is rebuilt with trixie-updates and -security)")
    with mounted(root):
        sh("chroot", root, "/bin/sh", "-c", "apt-get update -qq && apt-get dist-upgrade -y -qq",
           stdout=subprocess.DEVNULL, env=chroot_env({"DEBIAN_FRONTEND": "noninteractive"}))
    excludes = ["/usr/share/doc/*", "/usr/share/groff/*", "/usr/share/info/*", "/usr/share/linda/*",
                "/usr/share/lintian/overrides/*", "/usr/share/locale/*", "/usr/share/man/*"]
    includes = ["/usr/share/doc/*/copyright", "/usr/share/locale/locale.alias", "/usr/share/locale/languages",
                "/usr/share/locale/all_languages", "/usr/share/locale/currency/*", "/usr/share/locale/l10n/*"]
    (root / "etc/dpkg/dpkg.cfg.d/docker").write_text(
        "# the slim variant: files normally unnecessary in containers are left out\n"
        + "".join(f"path-exclude {p}\n" for p in excludes) + "".join(f"path-include {p}\n" for p in includes))
    for pattern in excludes:
        top = root / pattern.lstrip("/").removesuffix("/*")
        for dirpath, _dirs, files in os.walk(top, topdown=False):
            for name in files:
                path = Path(dirpath) / name
                virtual = "/" + path.relative_to(root).as_posix()
                if not any(fnmatch.fnmatchcase(virtual, inc) for inc in includes):
                    path.unlink()
            with contextlib.suppress(OSError):
                if Path(dirpath) != top:
                    Path(dirpath).rmdir()  # only when empty
    for cache_dir in ("var/cache/apt", "var/lib/apt/lists"):
        for child in (root / cache_dir).glob("*"):
            if child.is_dir() and child.name not in ("archives", "partial", "auxfiles"):
                shutil.rmtree(child)
            elif child.is_file():
                child.unlink()
    for leftover in ("var/log/apt/history.log", "var/log/apt/term.log", "etc/resolv.conf"):
        (root / leftover).unlink(missing_ok=True)
    (root / "etc/hostname").write_text("")
    save(root, tar)
    wipe(root)


# -- building ------------------------------------------------------------------------------------------------

@dataclass
class StageState:
    root: Path
    env: dict[str, str]
    args: dict[str, str] = field(default_factory=dict)  # ARG values: RUN sees them, the image does not keep them
    workdir: str = "/"
    user: str = "root"
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    sizes: list[tuple[str, int, bool]] = field(default_factory=list)  # (instruction, size after, from cache)

    def copy(self) -> StageState:
        return StageState(self.root, dict(self.env), dict(self.args), self.workdir, self.user, list(self.cmd),
                          list(self.healthcheck))


@dataclass
class Step:
    """One instruction with the state it runs in and the key of everything that led to its result."""

    ins: Instruction
    state: StageState  # ENV, ARG, WORKDIR as they are when it runs
    key: str

    @property
    def kept(self) -> bool:
        """Its result is kept in the cache: a RUN, or a COPY from another stage (so that stage need not be built)."""
        return self.ins.op == "RUN" or (self.ins.op == "COPY" and "--from=" in self.ins.args)


class Builder:
    """Docker's build, stage by stage, with its cache: a stage is only built when something needs it."""

    def __init__(self, stages: list[Stage], global_args: dict[str, str]) -> None:
        self.stages = {stage.name: stage for stage in stages}
        self.global_args = global_args
        self.cache = WORK / "cache"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.steps: dict[str, list[Step]] = {}
        self.final: dict[str, StageState] = {}  # each stage's state after its last instruction (the image's config)
        self.built: dict[str, StageState] = {}
        for stage in stages:
            self.plan(stage)

    def base(self, image: str) -> tuple[Path, str]:
        if image not in ("debian:trixie-slim", "scratch"):
            raise SystemExit(f"image-check emulates FROM debian:trixie-slim and scratch only, not {image}")
        tar = WORK / f"{image.replace(':', '-')}.tar"
        if not tar.exists() and image == "scratch":
            empty = WORK / "scratch-root"
            wipe(empty)
            empty.mkdir(parents=True)
            save(empty, tar)
            wipe(empty)
        elif not tar.exists():
            make_trixie_slim(tar)
        return tar, hashlib.sha256(f"{image}:{tar.stat().st_size}:{tar.stat().st_mtime_ns}".encode()).hexdigest()

    def plan(self, stage: Stage) -> None:
        root = WORK / "stages" / stage.name
        if stage.base in self.final:
            state, key = self.final[stage.base].copy(), self.steps[stage.base][-1].key
            state.root, state.args = root, {}
        else:
            state, key = StageState(root, {"PATH": DEFAULT_PATH}), self.base(stage.base)[1]
        steps = []
        for ins in stage.instructions:
            self.apply_metadata(ins, state)
            extra = ""
            if ins.op == "COPY":
                flags, rest = parse_flags(ins.args)
                source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
                if source_stage is None:
                    extra = digest_files([f for src in shlex.split(rest)[:-1] for f in context_files(src)])
                else:
                    extra = self.steps[source_stage][-1].key
            elif ins.op == "RUN":
                extra = json.dumps(sorted({**state.args, **state.env}.items())) + state.workdir
            key = hashlib.sha256(f"{key}\n{ins.text}\n{extra}".encode()).hexdigest()
            steps.append(Step(ins, state.copy(), key))
        self.steps[stage.name] = steps
        self.final[stage.name] = state

    def build(self, name: str) -> StageState:
        if name in self.built:
            return self.built[name]
        stage, steps = self.stages[name], self.steps[name]
        root = WORK / "stages" / name
        start = next((i + 1 for i in range(len(steps) - 1, -1, -1)
                      if steps[i].kept and (self.cache / f"{steps[i].key}.tar").exists()), 0)
        if start:
            restore(self.cache / f"{steps[start - 1].key}.tar", root)
            sizes = [(t, s, True) for t, s, _ in json.loads((self.cache / f"{steps[start - 1].key}.json").read_text())]
        elif stage.base in self.stages:
            wipe(root)
            sh("cp", "-a", self.build(stage.base).root, root)
            sizes = [(f"FROM {stage.base}", apparent_size(root), False)]
        else:
            restore(self.base(stage.base)[0], root)
            sizes = [(f"FROM {stage.base}", apparent_size(root), False)]
        for step in steps[start:]:
            ins, state = step.ins, step.state
            state.root = root
            if ins.op in ("RUN", "COPY", "WORKDIR"):
                say(f"== [{name}] {' '.join(ins.text.split())[:110]}")
            began = time.monotonic()
            if ins.op in ("RUN", "COPY", "WORKDIR"):
                touched(root)
            if ins.op == "RUN":
                self.run(ins, state)
            elif ins.op == "COPY":
                self.copy(ins, state)
            elif ins.op == "WORKDIR":
                (root / state.workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
            sizes.append((ins.text, apparent_size(root) if ins.op in ("RUN", "COPY", "WORKDIR") else sizes[-1][1],
                          False))
            if step.kept:
                (self.cache / f"{step.key}.json").write_text(json.dumps(sizes))
                save(root, self.cache / f"{step.key}.tar")
                root.with_name(root.name + ".from").write_text(f"{step.key}.tar")
                say(f"   {time.monotonic() - began:.0f} s")
        result = self.final[name]
        result.root, result.sizes = root, sizes
        self.built[name] = result
        return result

    def apply_metadata(self, ins: Instruction, state: StageState) -> None:
        args = expand(ins.args, {**self.global_args, **state.args, **state.env}) if ins.op != "RUN" else ins.args
        if ins.op == "ENV":
            for k, v in env_pairs(args):
                state.env[k] = expand(v, state.env)
        elif ins.op == "ARG":
            k, _, v = ins.args.partition("=")
            state.args[k] = shlex.split(v)[0] if v else self.global_args.get(k, "")
        elif ins.op == "WORKDIR":
            state.workdir = os.path.normpath(os.path.join(state.workdir, args))
        elif ins.op == "USER":
            state.user = args
        elif ins.op == "CMD":
            state.cmd = json.loads(args)
        elif ins.op == "HEALTHCHECK":
            state.healthcheck = json.loads(args[args.index("CMD") + 3:].strip())
        elif ins.op not in ("RUN", "COPY", "EXPOSE", "VOLUME", "LABEL"):
            raise SystemExit(f"image-check does not know Dockerfile instruction {ins.op} (line {ins.line})")

    def run(self, ins: Instruction, state: StageState) -> None:
        flags, command = parse_flags(ins.args)
        binds: list[tuple[Path, str, bool]] = []
        for flag in flags:
            if not flag.startswith("--mount="):
                raise SystemExit(f"image-check does not know RUN {flag}")
            opts = dict(o.split("=", 1) for o in flag.removeprefix("--mount=").split(","))
            if opts.get("type") == "cache":
                name = opts.get("id") or opts["target"]
                source = WORK / "cache-mounts" / hashlib.sha256(name.encode()).hexdigest()[:16]
                source.mkdir(parents=True, exist_ok=True)
                binds.append((source, opts["target"], False))
            elif opts.get("type") == "bind":
                base = self.build(opts["from"]).root if "from" in opts else ROOT
                binds.append((base / opts.get("source", "").lstrip("/"), opts["target"], "rw" not in opts))
            else:
                raise SystemExit(f"image-check does not know RUN {flag}")
        binds.append((HOST_CA, HOST_TLS["PIP_CERT"], True))
        with mounted(state.root, binds):
            workdir = state.workdir
            root = state.root

            def enter() -> None:
                os.chroot(root)
                os.chdir(workdir)
                os.umask(0o022)

            with BUILD_LOG.open("a") as log:
                log.write(f"\n== [{state.root.name}] RUN {command}\n")
                log.flush()
                env = {**chroot_env({**state.args, **state.env}), **HOST_TLS}
                result = subprocess.run(["/bin/sh", "-c", command], env=env, preexec_fn=enter,
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            tail = "\n".join(BUILD_LOG.read_text().splitlines()[-40:])
            raise SystemExit(f"{tail}\nRUN failed with {result.returncode} (Dockerfile line {ins.line}; "
                             f"whole output in {BUILD_LOG.relative_to(ROOT)})")

    def copy(self, ins: Instruction, state: StageState) -> None:
        flags, rest = parse_flags(ins.args)
        words = shlex.split(rest)
        sources, dest = words[:-1], words[-1]
        source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        if any(not f.startswith("--from=") for f in flags):
            raise SystemExit(f"image-check does not know COPY flags {flags}")
        target = Path(os.path.normpath(os.path.join(state.workdir, dest)))
        into_dir = dest.endswith("/") or len(sources) > 1
        for source in sources:
            if source_stage is None:
                src_top = ROOT / source
                files = context_files(source)
            else:
                src_top = self.build(source_stage).root / source.lstrip("/")
                files = [src_top] if not src_top.is_dir() else None  # type: ignore[assignment]
            dest_root = state.root / target.relative_to("/")
            if src_top.is_dir():
                if source_stage is not None:
                    dest_root.mkdir(parents=True, exist_ok=True)
                    sh("cp", "-a", f"{src_top}/.", dest_root)
                    continue
                for f in files:
                    out = dest_root / f.relative_to(src_top)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, out)
                    os.chown(out, 0, 0)
            else:
                out = dest_root / src_top.name if into_dir or dest_root.is_dir() else dest_root
                out.parent.mkdir(parents=True, exist_ok=True)
                sh("cp", "-a", src_top, out)
                if source_stage is None:
                    os.chown(out, 0, 0)


# -- the image ----------------------------------------------------------------------------------------------

def dpkg_packages(root: Path) -> dict[str, dict[str, str]]:
    """The Debian packages the image says it holds: dpkg's status file, or one file per package in
    ``/var/lib/dpkg/status.d`` (distroless style, as docker/rootfs.sh writes them)."""
    blocks: list[str] = []
    status = root / "var/lib/dpkg/status"
    if status.exists():
        blocks += status.read_text().split("\n\n")
    blocks += [p.read_text() for p in sorted((root / "var/lib/dpkg/status.d").glob("*"))]
    packages: dict[str, dict[str, str]] = {}
    for block in blocks:
        fields = dict(re.findall(r"^([\w-]+): (.*)$", block, re.MULTILINE))
        if "Package" in fields and fields.get("Status", "install ok installed").endswith(" installed"):
            packages[fields["Package"]] = fields
    return packages


PARTS = (  # (name, path patterns under the root), first match wins
    ("Python: interpreter and standard library", ("usr/bin/python3*", "usr/lib/python3*")),
    ("virtualenv /opt/pgadmin-py", ("opt/pgadmin-py",)),
    ("pg_dump, pg_restore", ("usr/lib/postgresql", "usr/local/bin/pg_*")),
    ("shared libraries", ("usr/lib/*-linux-gnu", "usr/lib64")),
    ("time zones", ("usr/share/zoneinfo",)),
    ("the diagram's font", ("usr/share/fonts",)),
    ("CA certificates", ("etc/ssl", "usr/lib/ssl")),
    ("copyright files and dpkg entries", ("usr/share/doc", "var/lib/dpkg")),
)


def breakdown(image: Path) -> list[tuple[str, int, str]]:
    """The image's size in parts (PARTS, then the rest), with the bytecode's share of Python's part and the
    shared libraries by name."""
    sizes = {name: 0 for name, _ in PARTS}
    rest = 0
    bytecode = 0
    libs: dict[str, int] = {}
    seen: set[tuple[int, int]] = set()
    for dirpath, dirs, files in os.walk(image):
        if Path(dirpath) == image:
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        for name in files + [d for d in dirs if (Path(dirpath) / d).is_symlink()]:
            path = Path(dirpath) / name
            st = os.lstat(path)
            if st.st_nlink > 1 and not path.is_symlink():
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
            rel = path.relative_to(image).as_posix()
            part = next((n for n, patterns in PARTS
                         if any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p + "/*") for p in patterns)),
                        None)
            if part is None:
                rest += st.st_size
                continue
            sizes[part] += st.st_size
            if part.startswith("Python") and name.endswith(".pyc"):
                bytecode += st.st_size
            if part == "shared libraries" and not path.is_symlink():
                libs[re.sub(r"\.so.*", "", name)] = st.st_size
    notes = {"Python: interpreter and standard library": f"bytecode {bytecode / MB:.1f} MB of it",
             "shared libraries": ", ".join(f"{n} {v / MB:.1f}" for n, v in sorted(libs.items(), key=lambda kv: -kv[1]))}
    parts = [(name, size, notes.get(name, "")) for name, size in sizes.items()]
    return [*parts, ("other (/etc, directories)", rest, "")]


def venv_breakdown(venv: Path, top: int = 14) -> list[tuple[str, int]]:
    site = next(venv.glob("lib/python3*/site-packages"))
    sizes: dict[str, int] = {}
    for child in site.iterdir():
        name = re.sub(r"(-[\d.]+.*)?\.(dist-info|libs)$", "", child.name).lower().replace("-", "_")
        sizes[name] = sizes.get(name, 0) + (apparent_size(child) if child.is_dir() else child.stat().st_size)
    rest = apparent_size(venv) - sum(sizes.values())
    ranked = sorted(sizes.items(), key=lambda kv: -kv[1])
    return [*ranked[:top], (f"{len(ranked) - top} more packages", sum(v for _, v in ranked[top:])),
            ("interpreter links, scripts", rest)]


# -- running it ----------------------------------------------------------------------------------------------

def passwd_entry(root: Path, user: str) -> tuple[int, int, str]:
    for line in (root / "etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user or fields[2] == user:
            return int(fields[2]), int(fields[3]), fields[5]
    raise SystemExit(f"no user {user} in the image")


def compose_environment() -> dict[str, str]:
    """The pgadmin-py service's environment in compose.yaml (``${VAR:-default}`` values left out)."""
    text = (ROOT / "compose.yaml").read_text()
    service = text.split("  pgadmin-py:")[1].split("\nvolumes:")[0]
    block = service.split("environment:")[1].split("volumes:")[0]
    env = dict(re.findall(r"^\s+(\w+):\s*(\S+)\s*$", block, re.MULTILINE))
    return {k: v for k, v in env.items() if not v.startswith("${")}


def in_image(image: StageState, command: list[str], env: dict[str, str], *, user: str | None = None,
             workdir: str | None = None) -> list[str]:
    """A host command line that runs ``command`` in the image as a container would: chroot, the image's user,
    working directory and environment (``env`` on top)."""
    uid, gid, home = passwd_entry(image.root, user or image.user)
    full = chroot_env({**image.env, **env}, home)
    return ["env", "-i", *(f"{k}={v}" for k, v in full.items()), sys.executable, "-c", LAUNCH, str(image.root),
            str(uid), str(gid), workdir or image.workdir, *command]


# What a container engine does to start a process, done from the host (the image may have no chroot, env or
# shell of its own): enter the root, its working directory, the user; PATH is the image's.
LAUNCH = ("import os, sys, warnings; root, uid, gid, workdir, *command = sys.argv[1:]; os.chroot(root); "
          "os.chdir(workdir); os.setgroups([int(gid)]); os.setgid(int(gid)); os.setuid(int(uid)); "
          "os.execvp(command[0], command)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def submit_run(opener: urllib.request.OpenerDirector, base: str, port: int, action: str,
               form_html: str) -> tuple[str, str]:
    """Post a confirmation form (its hidden fields, the word it asks to type) to ``action`` as a person does
    without JavaScript, follow the run it starts to its end; the run's state and log."""
    fields = {unescape(n): unescape(v) for n, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html)}
    word = re.search(r'Type <span class="mono">([^<]+)</span>', form_html)
    if word:
        fields["confirm"] = unescape(word.group(1))
    request = urllib.request.Request(
        f"{base}{action}", data=urllib.parse.urlencode(fields).encode(), method="POST",
        headers={"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}",
                 "Content-Type": "application/x-www-form-urlencoded"})
    with opener.open(request, timeout=30) as answer:
        run_url = answer.geturl()
    assert "/migrations/runs/" in run_url, run_url
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        _, _, page = serve_probe.get(opener, run_url)
        status_html = re.search(r'data-testid="run-status">(.*?)</dd>', page, re.DOTALL)
        state = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", status_html.group(1))).strip() if status_html else ""
        if state and "running" not in state:
            log = unescape(re.sub(r"<[^>]+>", "", page))
            assert "succeeded" in state, f"run {run_url}: {state}\n{log[-3000:]}"
            return state, log
        time.sleep(0.3)
    raise SystemExit(f"the run {run_url} did not finish in 120 s")


def apply_migration(opener: urllib.request.OpenerDirector, base: str, port: int) -> str:
    """Upgrade to heads the way a person does without JavaScript: the plan page, its form, the run page."""
    status, _, page = serve_probe.get(opener, f"{base}/migrations/plan?action=upgrade&target=heads")
    assert status == 200, page[:800]
    backup = re.search(r'data-testid="plan-backup">(.*?)</p>', page, re.DOTALL)
    assert backup, "the plan names no backup"
    form_html = re.search(r'<form[^>]*data-testid="confirm-form".*?</form>', page, re.DOTALL)
    assert form_html, f"no confirmation form: {re.sub(r'<[^>]+>', ' ', backup.group(1))}"
    state, log = submit_run(opener, base, port, "/migrations/apply", form_html.group(0))
    used = re.search(r"with (\S*pg_dump) \((.*?)\) to ", log)
    assert used, log[-3000:]
    return f"{state}; backup by {used.group(1)} ({used.group(2)})"


def restore_backup(opener: urllib.request.OpenerDirector, base: str, port: int) -> str:
    """Restore the backup the migration took, through its page and form as a person does: the server's
    version decides how (PostgreSQL 16 and older: pg_restore 17's script, run by pgadmin-py)."""
    status, _, page = serve_probe.get(opener, f"{base}/migrations/backups")
    assert status == 200, page[:800]
    names = re.findall(r'/migrations/backups/([^/"]+\.dump)/restore', page)
    assert names, "the backups page offers no restore"
    status, _, page = serve_probe.get(opener, f"{base}/migrations/backups/{names[0]}/restore")
    assert status == 200, page[:800]
    form_html = re.search(r'<form[^>]*data-testid="restore-form".*?</form>', page, re.DOTALL)
    assert form_html and "Type <span" in form_html.group(0), page[:2000]
    state, log = submit_run(opener, base, port, f"/migrations/backups/{names[0]}/restore", form_html.group(0))
    how = re.search(r"restoring \S+ with (.*?) --clean", log)
    assert how, log[-3000:]
    return f"{names[0]}: {state}; with {how.group(1)}"


def check_image(image: StageState, database_url: str) -> dict[str, object]:
    root = image.root
    touched(root)  # a running container writes into its root filesystem
    results: dict[str, object] = {}
    data = WORK / "volume-data"
    wipe(data)
    data.mkdir(parents=True)
    uid, gid, _ = passwd_entry(root, image.user)
    os.chown(data, uid, gid)
    demo = ROOT / "src/pgadmin_py/demo"
    binds = [(data, "/data", False), (demo, "/project/demo", True)]
    check_url = with_database(database_url, CHECK_DB)
    compose = compose_environment()
    with mounted(root, binds):
        say(f"== a fresh database {CHECK_DB} with the demo project (loaded by the image's own Python)")
        prepare = (
            "import sys, psycopg\n"
            "from pgadmin_py.demo import bootstrap\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
            f"    c.execute('drop database if exists {CHECK_DB} with (force)')\n"
            f"    c.execute('create database {CHECK_DB}')\n"
            "bootstrap.prepare(sys.argv[2])\n")
        sh(*in_image(image, ["python", "-c", prepare, database_url, check_url], {}))
        port = free_port()
        env = {**compose, "DATABASE_URL": check_url, "PORT": str(port)}
        env.pop("AUTH_PASSWORD", None)  # the one-time login URL instead (a test has no password to type)
        health: dict[str, int] = {}

        def during(opener: urllib.request.OpenerDirector, base: str) -> None:
            health["exit"] = subprocess.run(in_image(image, image.healthcheck, env), check=False).returncode
            results["migration"] = apply_migration(opener, base, port)
            results["restore"] = restore_backup(opener, base, port)
            for page in ("/migrations", "/tables", "/diagram", "/models"):
                status, _, body = serve_probe.get(opener, base + page)
                assert status == 200, (page, status, body[:500])

        timings = []
        for run in ("cold", "warm"):
            evict = [root] if run == "cold" else []
            say(f"== the image's start command ({run}): {' '.join(image.cmd)} as {image.user} in {image.workdir}")
            probe = serve_probe.probe(in_image(image, image.cmd, env), port, evict=evict,
                                      during=during if run == "cold" else None)
            timings.append((run, probe))
        results["start"] = {run: {k: p[k] for k in ("healthz_s", "first_page_s", "rss_mib")} for run, p in timings}
        log = Path(str(timings[0][1]["log"])).read_text()
        assert "7 models, 8 tables from demo.models:Base" in log, log[-3000:]
        results["healthcheck_exit"] = health.get("exit")
        say("== pg_dump / pg_restore of the image against that database")
        versions = [subprocess.run(in_image(image, [tool, "--version"], {}), check=True, capture_output=True,
                                   text=True).stdout.strip() for tool in ("pg_dump", "pg_restore")]
        dump = "/data/check.dump"
        sh(*in_image(image, ["pg_dump", "-Fc", "-f", dump, "--dbname", check_url], {}))
        listing = subprocess.run(in_image(image, ["pg_restore", "--list", dump], {}), check=True,
                                 capture_output=True, text=True).stdout
        backups = sorted(p.name for p in (data / "backups").glob("*") if not p.name.endswith(".json"))
        results["pg_tools"] = {"versions": versions, "dump_bytes": (data / "check.dump").stat().st_size,
                               "dump_entries": sum(1 for line in listing.splitlines() if not line.startswith(";")),
                               "backups_taken_by_the_app": backups}
        sh(*in_image(image, ["python", "-c",
                             "import sys, psycopg\n"
                             "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
                             f"    c.execute('drop database {CHECK_DB}')\n", database_url], {}))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("make image-check needs root (chroot and mount), as a container engine does")
    if not shutil.which("debootstrap"):
        raise SystemExit("make image-check needs debootstrap (apt-get install debootstrap)")
    began = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    BUILD_LOG.write_text("")
    stages, global_args = parse_dockerfile(ROOT / "Dockerfile")
    builder = Builder(stages, global_args)
    image = builder.build(stages[-1].name)
    current = {step.key for steps in builder.steps.values() for step in steps}
    for stale in builder.cache.glob("*"):
        if stale.stem not in current:  # kept results of a Dockerfile or sources that are no more
            stale.unlink()
    built = time.monotonic() - began

    total = apparent_size(image.root)
    say(f"\n== image size: {total / MB:.1f} MB (files and symlinks of the final stage, as Docker counts them)")
    say("   per instruction (size added; a later RUN may remove files):")
    previous = 0
    for text, size, cached in image.sizes:
        first = text.splitlines()[0][:90]
        say(f"   {(size - previous) / MB:7.1f} MB  {first}{'  (cached)' if cached else ''}")
        previous = size
    say("   per part:")
    for name, size, members in breakdown(image.root):
        say(f"   {size / MB:7.1f} MB  {name}" + (f"  [{members}]" if members else ""))
    venv = image.root / "opt/pgadmin-py"
    if venv.exists():
        say("   the virtualenv:")
        for name, size in venv_breakdown(venv):
            say(f"   {size / MB:7.1f} MB  {name}")
    packages = dpkg_packages(image.root)
    say(f"   Debian packages the files come from ({len(packages)}): "
        + " ".join(f"{n}={f.get('Version', '?')}" for n, f in sorted(packages.items())))
    perl = sorted(n for n in packages if n.startswith(("perl", "libperl")))
    perl += [p.name for d in ("usr/bin", "usr/local/bin") for p in (image.root / d).glob("perl*")]
    say(f"   Perl: {', '.join(perl) if perl else 'none'}")
    assert not perl, "Perl is in the image"
    left_out = next((a for st in stages for i in st.instructions if i.op == "ARG"
                     for a in [i.args] if a.startswith("LEFT_OUT=")), "LEFT_OUT=").split("=", 1)[1]
    for name in shlex.split(left_out)[0].split() if left_out else ():
        installed = [p.name for p in venv.glob("lib/python3*/site-packages/*.dist-info")
                     if p.name.lower().startswith(name.replace("-", "_").lower() + "-")]
        assert not installed, f"{installed} is installed, though the Dockerfile leaves it out"

    results = check_image(image, args.database_url)
    say("\n== the image runs")
    say(json.dumps(results, indent=2))
    if results["healthcheck_exit"] != 0:
        raise SystemExit("the HEALTHCHECK command failed")
    say(f"\nimage-check passed: {total / MB:.1f} MB; built in {built:.0f} s, {time.monotonic() - began:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
