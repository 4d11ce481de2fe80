"""One URL, page or fragment: a block rendered alone still sees the template's top-level imports."""

from __future__ import annotations

from jinja2 import DictLoader, Environment, StrictUndefined

from pgadmin_py.web.render import render_block

TEMPLATES = {
    "base.html": "<html><title>{{ page_title }}</title>{% block content %}{% endblock %}</html>",
    "macros.html": "{% macro badge(text) %}<b>{{ text }}</b>{% endmacro %}",
    "page.html": ('{% extends "base.html" %}{% import "macros.html" as ui %}{% set unit = "rows" %}'
                  '{% block content %}<div id="rows">{% block rows %}{{ ui.badge(n) }} {{ unit }}'
                  '{% endblock %}</div>{% endblock %}'),
}


def test_block_alone_has_imports_and_sets() -> None:
    env = Environment(loader=DictLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)
    tmpl = env.get_template("page.html")
    assert render_block(tmpl, "rows", {"n": 5, "page_title": "T"}) == "<b>5</b> rows"
    assert render_block(tmpl, "content", {"n": 5, "page_title": "T"}) == '<div id="rows"><b>5</b> rows</div>'
    assert tmpl.render(n=5, page_title="T").startswith("<html><title>T</title>")
