"""Rasterise the diagram's SVG to PNG on the server with resvg (a wheel with no system libraries)."""

from __future__ import annotations

from pgadmin_py.core.errors import AppError

MAX_PIXELS = 40_000_000  # ~ 6300 x 6300: beyond that a PNG is unreadable anyway and costs seconds


class DiagramError(AppError):
    title = "Cannot draw the diagram"


def svg_to_png(svg: str, width: float, height: float) -> bytes:
    try:
        import resvg_py
    except ImportError:
        raise DiagramError("PNG export needs the resvg-py package, which is not installed.",
                           "pip install resvg-py, or download the SVG instead.") from None
    zoom = 2.0 if width * height * 4 <= MAX_PIXELS else max(0.25, (MAX_PIXELS / (width * height)) ** 0.5)
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#f7f8fb"))
