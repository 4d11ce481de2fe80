"""web/fragments.py: a fragment is memoized on exactly its arguments, and may read nothing else."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined, UndefinedError

from pgadmin_py.web.fragments import Fragments


def _env() -> Environment:
    return Environment(loader=DictLoader({"hello.html": "<b>{{ who }}</b>", "leaky.html": "{{ who }} {{ page }}"}),
                       autoescape=True, undefined=StrictUndefined)


def test_same_arguments_render_once_other_arguments_anew() -> None:
    fragments = Fragments(_env())
    first = fragments("hello.html", who="<ann>")
    assert first == "<b>&lt;ann&gt;</b>"
    assert fragments("hello.html", who="<ann>") is first  # served from the memo
    assert fragments("hello.html", who="bob") == "<b>bob</b>"


def test_a_fragment_cannot_read_what_it_was_not_given() -> None:
    env = _env()
    env.globals["fragment"] = Fragments(env)
    with pytest.raises(UndefinedError):
        env.from_string('{{ fragment("leaky.html", who="x") }}').render(page="the caller's page")


def test_mutable_arguments_are_refused() -> None:
    with pytest.raises(TypeError):
        Fragments(_env())("hello.html", who=["a", "list"])


def test_memo_is_bounded_in_entries_and_characters() -> None:
    fragments = Fragments(_env(), max_entries=3)
    for i in range(10):
        fragments("hello.html", who=str(i))
    assert len(fragments.memo) <= 3
    small = Fragments(_env(), max_chars=100)
    for i in range(10):
        assert small("hello.html", who=str(i) * 20) == f"<b>{str(i) * 20}</b>"
    assert small.memo.weight <= 100
    huge = "x" * 80
    assert small("hello.html", who=huge) == f"<b>{huge}</b>"  # over half the budget: served, not kept
    assert small.memo.get(("hello.html", ("who", huge))) is None
