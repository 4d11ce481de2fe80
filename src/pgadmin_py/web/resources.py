"""Where the templates and static files are: inside the installed wheel, else at the top of the source tree."""

from __future__ import annotations

from pathlib import Path


def resource_dir(name: str) -> Path:
    """``templates``/``static`` inside the installed wheel, else at the top of the source tree."""
    packaged = Path(__file__).resolve().parents[1] / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name
