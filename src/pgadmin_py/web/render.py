"""Render a page or one of its blocks: one URL serves both.

A direct visit (bookmark, reload, no JavaScript) gets the whole page. An htmx request whose target
is an element id that names a ``{% block %}`` of the same template gets only that block, so a
template says ``<div id="rows">{% block rows %}…{% endblock %}</div>`` and htmx can refresh it.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from litestar import Request
from litestar.enums import MediaType
from litestar.response import Response
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from pgadmin_py.web.flash import take_flash
from pgadmin_py.web.fragments import Fragments
from pgadmin_py.web.htmx import target_of
from pgadmin_py.web.table_head import TableHeads, table_attrs
from pgadmin_py.web.table_rows import rows_html
from pgadmin_py.web.timing import timed
from pgadmin_py.web.urls import Urls

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AppInfo:
    """What every template may show about the running app. Never holds a secret."""

    version: str
    read_only: bool
    auth_enabled: bool
    database_label: str
    project_name: str


def build_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails loudly, in tests first
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["urls"] = Urls()
    env.globals["table_rows_html"] = rows_html  # the data browser's rows: one Python pass, not a loop per cell
    env.globals["table_head_html"] = TableHeads()  # and its column header row, memoized per environment
    env.globals["table_attrs"] = table_attrs  # and the <table>'s classes and right-aligned columns
    env.globals["fragment"] = Fragments(env)  # pure partials memoized on their arguments (web/fragments.py)
    return env


class UnknownBlock(LookupError):
    """An htmx request targets an element that names no block of the template (a template or handler bug)."""


class _Auto:
    """``block=AUTO``: the block the htmx request targets, else the whole page."""


AUTO = _Auto()


def render_block(tmpl: Template, name: str, values: dict[str, Any]) -> str:
    """Render one block with the template's top-level ``{% import %}``/``{% set %}`` in scope.

    Jinja runs a child template's top-level statements in its root function, before handing over
    to the parent; a block rendered alone would miss them (``ui`` undefined). Starting the root
    function and stopping at its first output runs exactly those statements.
    """
    context = tmpl.new_context(values)
    root = tmpl.root_render_func(context)
    next(root, None)
    if isinstance(root, Generator):
        root.close()
    return "".join(tmpl.blocks[name](context))


class Renderer:
    """Renders templates, whole or one block. ``strict_blocks`` (tests) makes an htmx target that names no
    block of the template an :class:`UnknownBlock` error; otherwise it is logged and the page rendered whole."""

    def __init__(self, env: Environment, app_info: AppInfo, flash_secret: str = "", *,
                 strict_blocks: bool = False) -> None:
        self.env = env
        self.app_info = app_info
        self.flash_secret = flash_secret  # signs web/flash.py cookies
        self.strict_blocks = strict_blocks
        fragment = env.globals["fragment"]  # build_environment's memo of pure partials
        assert isinstance(fragment, Fragments)
        self.fragment = fragment

    def context(self, request: Request[Any, Any, Any], section: str, title: str) -> dict[str, Any]:
        token = ScopeState.from_scope(request.scope).csrf_token
        token = token if isinstance(token, str) else ""
        csrf_input = f'<input type="hidden" name="_csrf_token" value="{token}">'
        return {
            "request": request,
            "app": self.app_info,
            "csrf_token": lambda: token,
            "csrf_input": csrf_input,
            "active_section": section,
            "page_title": title,
            "title": title,
            "nav": lambda: self.nav(section, csrf_input),
            "flashes": [],  # web/flash.py: filled for a full page by render()
        }

    def nav(self, section: str, csrf_input: str) -> Markup:
        """components/nav.html for ``section``, a fragment: it depends on nothing else (and, when login
        is on, on the CSRF field of its sign-out form)."""
        return self.fragment("components/nav.html", app=self.app_info, active_section=section,
                             csrf_input=csrf_input if self.app_info.auth_enabled else "")

    def render(self, request: Request[Any, Any, Any], template: str, *, section: str, title: str,
               block: str | _Auto | None = AUTO, **values: Any) -> str:
        """``block``: a block's name; None for the whole template (a partial); AUTO for the block an htmx
        request targets, else the whole page."""
        with timed("html"):
            tmpl = self.env.get_template(template)
            ctx = self.context(request, section, title) | values
            name = self._block(tmpl, template, request) if isinstance(block, _Auto) else block
            if name is not None:
                return render_block(tmpl, name, ctx)
            if self.flash_secret:
                ctx["flashes"] = take_flash(request, self.flash_secret)
            return tmpl.render(ctx)

    def _block(self, tmpl: Template, template: str, request: Request[Any, Any, Any]) -> str | None:
        target = target_of(request)
        if target is None or target in tmpl.blocks:
            return target
        message = f"htmx targets #{target}, which names no block of {template}"
        if self.strict_blocks:
            raise UnknownBlock(message)
        log.warning("%s: rendering the whole page", message)
        return None

    def page(self, request: Request[Any, Any, Any], template: str, *, section: str, title: str,
             status_code: int = 200, headers: dict[str, str] | None = None, block: str | _Auto | None = AUTO,
             **values: Any) -> Response[str]:
        body = self.render(request, template, section=section, title=title, block=block, **values)
        return Response(body, status_code=status_code, media_type=MediaType.HTML, headers=headers or {})
