"""HTMX requests and responses through litestar-htmx: one definition of "htmx asks for a fragment".

A boosted request (``hx-boost`` navigation) wants the whole page; any other htmx request wants the fragment
its target names. Responses that redirect the swap use litestar-htmx's classes, never hand-written headers.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import MediaType
from litestar.plugins.htmx import HTMXDetails, HTMXRequest, Reswap, ReSwapMethod, Retarget
from litestar.response import Response


def htmx_of(request: Request[Any, Any, Any]) -> HTMXDetails:
    """The request's htmx headers (the app's requests are :class:`HTMXRequest`; an error handler's may not be)."""
    return request.htmx if isinstance(request, HTMXRequest) else HTMXDetails(request)


def wants_fragment(request: Request[Any, Any, Any]) -> bool:
    """An htmx request that swaps part of the page (not a boosted navigation, which wants the whole page)."""
    details = htmx_of(request)
    return bool(details) and not details.boosted


def target_of(request: Request[Any, Any, Any]) -> str | None:
    """The element id a fragment request targets (the name of the block it wants), or None for a page."""
    return (htmx_of(request).target or None) if wants_fragment(request) else None


def swap_into(body: str, target: str, method: ReSwapMethod, *, status_code: int = 200) -> Response[str]:
    """``body`` swapped into ``target`` (a CSS selector) by ``method``: litestar-htmx's Retarget, with the
    swap method of its Reswap."""
    response: Response[str] = Retarget(body, target, status_code=status_code, media_type=MediaType.HTML)
    response.headers.update(Reswap(body, method).headers)
    return response
