"""The models probe: ``python model_probe.py ACTION [options]``, run in the *project's* interpreter.

It is executed as a script file (never imported by the server) with the project directory as working
directory, so it may import only the standard library, SQLAlchemy (1.4 or 2.x) and Alembic. It answers
with one JSON document on stdout, after the line ``::pgadmin-py-json::`` (whatever the project prints
before it is ignored; the project's own stdout goes to stderr while its code runs).

Actions:
- ``models``: the models autogenerate would compare. The ``target_metadata`` the project's env.py configures
  (env.py run through Alembic's API with a function that captures it: offline first, online inside a
  rolled-back transaction if offline is refused), plus every mapped class registered by then.
  ``--base module:attr`` (``SQLALCHEMY_BASE``) and ``--models a,b`` (``SQLALCHEMY_MODELS``) override.
  Each model is serialized as facts: the fields of ``pgadmin_py.orm.introspect``'s dataclasses.
- ``drift``: ``alembic.autogenerate.compare_metadata`` run inside env.py's online context (so its
  include_object / include_schemas / compare_type apply), in a transaction that is rolled back.
- ``autogenerate``: ``produce_migrations`` + ``render_python_code`` in the same context: the body of the
  revision ``alembic revision --autogenerate`` would write.

The database URL comes from the environment (``DATABASE_URL``), never from the command line.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import io
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

MARK = "::pgadmin-py-json::"
_ALL = {"save-update", "merge", "refresh-expire", "expunge", "delete"}
_DIRECTIONS = {"ONETOMANY": "1:N", "MANYTOONE": "N:1", "MANYTOMANY": "M:N"}


class Captured(BaseException):
    """Raised from the migration function once it has what it came for: leaves env.py, rolling back."""  # `except
    # Exception` cannot swallow it

    def __init__(self, value: Any) -> None:
        super().__init__("captured")
        self.value = value


class ProbeProblem(Exception):
    def __init__(self, spec: str, summary: str, hint: str, missing: str | None = None) -> None:
        super().__init__(summary)
        self.fact = {"spec": spec, "summary": summary, "hint": hint, "traceback": traceback.format_exc(),
                     "sys_path": list(sys.path), "missing_module": missing}


# ------------------------------------------------------------------------------------------- text of things
def _pg_dialect() -> Any:
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()  # type: ignore[no-untyped-call]


def type_text(type_: Any) -> str:
    """A type as its author would write it: ``String(120)``, not ``String(length=120)``."""
    try:
        text = repr(type_)
    except Exception:  # noqa: BLE001 - an exotic user type still gets its class name
        text = type(type_).__name__
    text = text.replace("length=", "").replace("precision=", "").replace("scale=", "")
    if text.endswith("()"):
        text = text[:-2]
    return text if len(text) <= 80 else text[:77] + "..."


def pg_type(type_: Any) -> str:
    """The type compiled for PostgreSQL; a type that will not compile is described by its class name."""
    try:
        return str(type_.compile(dialect=_pg_dialect()))
    except Exception:  # noqa: BLE001 - a TypeDecorator without a usable impl, a dialect-specific type...
        return type(type_).__name__


def clause_text(clause: Any) -> str:
    """SQL as PostgreSQL would get it; a custom construct that will not compile is described by its class name."""
    for dialect in (_pg_dialect(), None):
        try:
            return str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        except Exception:  # noqa: BLE001, S112 - a construct without a compiler for this dialect: next one
            continue
    return type(clause).__name__


def default_text(default: Any) -> str | None:
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    if callable(arg):
        fn = getattr(arg, "__wrapped__", arg)
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "a function"
        if name == "<lambda>":
            return "a Python lambda"
        module = getattr(fn, "__module__", "") or ""
        return f"{module.split('.')[-1]}.{name}()" if module and module != "builtins" else f"{name}()"
    if isinstance(arg, str) and type(default).__name__ == "DefaultClause":
        return arg  # server_default="true": SQL text, shown as written
    if hasattr(arg, "text") and isinstance(arg.text, str):
        return str(arg.text)
    if hasattr(arg, "compile"):
        return clause_text(arg)
    try:
        return repr(arg)
    except Exception:  # noqa: BLE001
        return type(arg).__name__


def initial_text(default: Any) -> str | None:
    """A scalar Python-side default (``default=5``) pre-fills a new row in a form; callables are not run."""
    if default is None or not getattr(default, "is_scalar", False) or getattr(default, "arg", None) is None:
        return None
    arg = default.arg
    if isinstance(arg, bool):
        return "true" if arg else "false"
    try:
        return str(getattr(arg, "value", arg))
    except Exception:  # noqa: BLE001
        return None


def _name(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return None if text in ("_NONE_NAME", "None", "") or text.startswith("_NONE") else text


def _impl(type_: Any) -> Any:
    impl = getattr(type_, "impl_instance", None) or getattr(type_, "impl", None)
    return impl if impl is not None and not isinstance(impl, type) else type_


def _length(type_: Any) -> int | None:
    for candidate in (type_, _impl(type_)):
        length = getattr(candidate, "length", None)
        if isinstance(length, int) and not isinstance(length, bool):
            return length
    return None


def _enum_values(type_: Any) -> list[str] | None:
    for candidate in (type_, _impl(type_)):
        enums = getattr(candidate, "enums", None)
        if isinstance(enums, list | tuple) and all(isinstance(e, str) for e in enums):
            return list(enums)
    return None


def _annotations(cls: type) -> dict[str, str]:
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, ann in (getattr(klass, "__dict__", {}).get("__annotations__", {}) or {}).items():
            try:
                found[attr] = ann if isinstance(ann, str) else inspect.formatannotation(ann)
            except Exception:  # noqa: BLE001, S112
                continue
    return found


# ------------------------------------------------------------------------------------------- serializer
def _fk_refs(col: Any) -> list[dict[str, Any]]:
    refs = []
    for fk in sorted(col.foreign_keys, key=lambda f: str(f.target_fullname)):
        table, _, column = str(fk.target_fullname).rpartition(".")
        constraint = getattr(fk, "constraint", None)
        refs.append({"name": _name(constraint.name if constraint is not None else fk.name),
                     "target_table": table, "target_column": column,
                     "on_delete": fk.ondelete.upper() if fk.ondelete else None,
                     "on_update": fk.onupdate.upper() if fk.onupdate else None})
    return refs


def _single(columns: Any) -> str | None:
    cols = list(columns)
    return cols[0].name if len(cols) == 1 else None


def _columns(table: Any, attrs: dict[str, str], annotations: dict[str, str]) -> list[dict[str, Any]]:
    from sqlalchemy import UniqueConstraint

    single_unique = {_single(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)}
    single_index = {_single(i.columns) for i in table.indexes}
    single_unique |= {_single(i.columns) for i in table.indexes if i.unique}
    out = []
    for col in table.columns:
        attr = attrs.get(col.name)
        out.append({
            "name": col.name, "attribute": attr, "type_text": type_text(col.type), "pg_type": pg_type(col.type),
            "annotation": annotations.get(attr) if attr else None,
            "primary_key": bool(col.primary_key), "nullable": bool(col.nullable),
            "default": default_text(col.default), "server_default": default_text(col.server_default),
            "initial": initial_text(col.default), "length": _length(col.type), "enum_values": _enum_values(col.type),
            "unique": bool(col.unique) or col.name in single_unique,
            "index": bool(col.index) or col.name in single_index,
            "foreign_keys": _fk_refs(col), "comment": getattr(col, "comment", None)})
    return out


def _constraints(table: Any) -> list[dict[str, Any]]:
    from sqlalchemy import CheckConstraint, UniqueConstraint

    out: list[dict[str, Any]] = []
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        cols = [c.name for c in index.columns]
        exprs = ", ".join(cols) or ", ".join(clause_text(e) for e in getattr(index, "expressions", ()))
        out.append({"kind": "unique index" if index.unique else "index", "name": _name(index.name),
                    "columns": cols, "text": exprs})
    for con in sorted(table.constraints, key=lambda c: str(c.name)):
        if isinstance(con, UniqueConstraint):
            cols = [c.name for c in con.columns]
            out.append({"kind": "unique", "name": _name(con.name), "columns": cols, "text": ", ".join(cols)})
        elif isinstance(con, CheckConstraint):
            out.append({"kind": "check", "name": _name(con.name), "columns": [], "text": clause_text(con.sqltext)})
    return out


def _cascade_text(options: set[str]) -> str:
    parts = ["all"] if options >= _ALL else sorted(options & _ALL)
    parts += sorted(options - _ALL)
    return ", ".join(parts) or "none"


def _fullname(table: Any) -> str:
    return str(getattr(table, "fullname", table))


def _relationship(prop: Any) -> dict[str, Any]:
    raw = getattr(prop.direction, "name", str(prop.direction))
    direction = _DIRECTIONS.get(raw, raw)
    if direction == "1:N" and not prop.uselist:
        direction = "1:1"  # a one-to-many with uselist=False: the child row holds the foreign key
    secondary = prop.secondary
    if raw == "MANYTOMANY" or secondary is not None:
        fk_cols: list[str] = []
        fk_table = _fullname(secondary) if secondary is not None else ""
    elif raw == "MANYTOONE":
        fk_cols = [c.name for c in prop.local_columns]
        fk_table = _fullname(prop.parent.local_table)
    else:
        fk_cols = [r.name for _, r in prop.local_remote_pairs or ()]
        fk_table = _fullname(prop.mapper.local_table)
    options = set(prop.cascade)
    backref = prop.backref if isinstance(prop.backref, str) else (prop.backref[0] if prop.backref else None)
    passive = prop.passive_deletes
    return {"name": prop.key, "target": prop.mapper.class_.__name__, "target_table": _fullname(prop.mapper.local_table),
            "direction": direction, "secondary": _fullname(secondary) if hasattr(secondary, "fullname") else None,
            "cascade": sorted(options), "cascade_text": _cascade_text(options),
            "back_populates": prop.back_populates, "backref": backref, "lazy": str(prop.lazy),
            "passive_deletes": passive if isinstance(passive, bool | str) else bool(passive),
            "viewonly": bool(prop.viewonly), "fk_columns": fk_cols, "fk_table": fk_table}


def _doc(cls: type) -> str | None:
    doc = inspect.getdoc(cls)
    inherited = cls.__bases__ and doc == inspect.getdoc(cls.__bases__[0])
    return doc.strip().splitlines()[0] if doc and doc.strip() and not inherited else None


def _model(mapper: Any) -> dict[str, Any]:
    from sqlalchemy import Column

    table = mapper.local_table
    cls = mapper.class_
    # mapper.columns is set at mapping time: reading it does not configure (and cannot fail on) relationships
    attrs = {col.name: key for key, col in mapper.columns.items() if isinstance(col, Column) and col.table is table}
    try:
        rels = [_relationship(p) for p in mapper.relationships]
    except Exception:  # noqa: BLE001 - unconfigurable relationships are reported once, at the catalog level
        rels = []
    version = getattr(mapper, "version_id_col", None)
    return {"name": cls.__name__, "module": cls.__module__, "table": table.fullname, "schema": table.schema,
            "table_name": table.name, "doc": _doc(cls), "columns": _columns(table, attrs, _annotations(cls)),
            "relationships": rels, "constraints": _constraints(table), "is_class": True,
            "version_id_col": getattr(version, "name", None) if version is not None else None}


def _plain_table(table: Any) -> dict[str, Any]:
    return {"name": table.name, "module": None, "table": table.fullname, "schema": table.schema,
            "table_name": table.name, "doc": getattr(table, "comment", None), "columns": _columns(table, {}, {}),
            "relationships": [], "constraints": _constraints(table), "is_class": False, "version_id_col": None}


def all_registries() -> list[Any]:
    """Every ORM registry alive in this process (SQLAlchemy 1.4 and 2.x keep them in the mapper module)."""
    for name in ("sqlalchemy.orm.mapper", "sqlalchemy.orm.mapperlib"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found = getattr(module, "_mapper_registries", None)
        if found is not None:
            return list(found)
    return []


def describe(metadatas: list[Any], registries: list[Any]) -> dict[str, Any]:
    """Every mapped class (the target metadata's first, then any other registered class whose table the target
    does not already hold), then every table of the target metadata that no class maps."""
    from sqlalchemy import Table

    error = None
    for reg in registries:
        try:
            reg.configure()
        except Exception as exc:  # noqa: BLE001 - reported on the page; columns still show
            error = f"{type(exc).__name__}: {exc}"
    targets = {id(m) for m in metadatas}
    mappers = [m for reg in registries for m in reg.mappers if isinstance(m.local_table, Table)]
    mappers.sort(key=lambda m: (getattr(m.local_table, "metadata", None) is None
                                or id(m.local_table.metadata) not in targets, m.class_.__name__))
    models: list[dict[str, Any]] = []
    seen_tables: set[str] = set()
    seen_classes: set[str] = set()
    for mapper in mappers:
        if mapper.inherits is not None and mapper.local_table is mapper.inherits.local_table:
            continue  # single-table inheritance: the base class shows the table
        table = mapper.local_table
        in_target = id(table.metadata) in targets
        if not in_target and table.fullname in seen_tables:
            continue  # the same model imported twice under two module names
        key = f"{mapper.class_.__module__}.{mapper.class_.__qualname__}"
        if key in seen_classes:
            continue
        seen_classes.add(key)
        seen_tables.add(table.fullname)
        models.append(_model(mapper))
    for metadata in metadatas:
        for key, table in sorted(metadata.tables.items()):
            if key not in seen_tables:
                seen_tables.add(key)
                models.append(_plain_table(table))
    models.sort(key=lambda m: (not m["is_class"], m["name"].lower()))
    return {"models": models, "configure_error": error}


# ------------------------------------------------------------------------------------------- finding models
def _not_found_hint(spec: str, module_name: str, missing: str) -> str:
    if module_name == missing or module_name.startswith(missing + "."):
        tried = Path.cwd() / Path(*module_name.split("."))
        return (f"Python cannot find {missing!r} (looked for {tried}.py and {tried}/__init__.py, and on the sys.path "
                f"below). Put your project directory on PYTHONPATH (or set PROJECT_DIR), and check the module path "
                f"in SQLALCHEMY_BASE={spec}.")
    return (f"Your models import {missing!r}, which is not installed in the project's interpreter ({sys.executable}). "
            f"Install your project's requirements into it, or set ALEMBIC_PYTHON to the interpreter that has them "
            f"(in the container: build a derived image that installs them, as the README's Container section shows).")


def import_spec(spec: str, extra_modules: list[str]) -> Any:
    module_name, _, attr_path = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
        for extra in extra_modules:
            importlib.import_module(extra)
    except ModuleNotFoundError as exc:
        missing = exc.name or "?"
        raise ProbeProblem(spec, f"No module named {missing!r}", _not_found_hint(spec, module_name, missing),
                           missing) from None
    except Exception as exc:  # noqa: BLE001 - any error in the user's module is reported, never fatal
        raise ProbeProblem(spec, f"Importing {module_name} raised {type(exc).__name__}: {exc}",
                           "Fix the error in your module (see the traceback), or point SQLALCHEMY_BASE elsewhere.") \
            from None
    obj: Any = module
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            names = ", ".join(n for n in dir(module) if not n.startswith("_"))[:300]
            raise ProbeProblem(spec, f"{module_name} has no attribute {attr_path!r}",
                               f"Name the declarative base, registry or MetaData defined in {module_name}, "
                               f"e.g. {module_name}:Base. It defines: {names}")
        obj = getattr(obj, part)
    return obj


def resolve(obj: Any) -> tuple[Any, Any] | None:
    """(MetaData, registry or None) of any shape a project uses for its models."""
    from sqlalchemy import MetaData
    from sqlalchemy.orm import registry

    if isinstance(obj, MetaData):
        return obj, None
    if isinstance(obj, registry):
        return obj.metadata, obj
    reg: Any = getattr(obj, "registry", None)
    if not isinstance(reg, registry):  # SQLModel keeps its registry at `_sa_registry`
        reg = getattr(obj, "_sa_registry", None)
    if not isinstance(reg, registry):  # Flask-SQLAlchemy's `db` keeps its base at `db.Model`
        reg = getattr(getattr(obj, "Model", None), "registry", None)
    metadata = getattr(obj, "metadata", None)
    if not isinstance(metadata, MetaData) and isinstance(reg, registry):
        metadata = reg.metadata
    if isinstance(metadata, MetaData):
        return metadata, reg if isinstance(reg, registry) else None
    return None


def _metadatas(target: Any) -> list[Any]:
    from sqlalchemy import MetaData

    if isinstance(target, MetaData):
        return [target]
    if isinstance(target, list | tuple):
        return [m for m in target if isinstance(m, MetaData)]
    return []


def database_url() -> str | None:
    """``DATABASE_URL`` for the driver this project's SQLAlchemy can load (psycopg 3 on 2.x when installed)."""
    url = os.environ.get("DATABASE_URL")
    if not url or "://" not in url:
        return url or None
    scheme, rest = url.split("://", 1)
    if "+" in scheme:
        return url
    for dialect, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        try:
            importlib.import_module(f"sqlalchemy.dialects.postgresql.{dialect}")
            importlib.import_module(driver)
        except ImportError:
            continue
        return f"postgresql+{dialect}://{rest}"
    return f"postgresql://{rest}"


class Env:
    """The project's Alembic environment, run through Alembic's own API."""

    def __init__(self, ini: str | None, section: str, flask: bool) -> None:
        self.ini, self.section, self.flask = ini, section, flask
        self.app_context: Any = None
        self.config: Any = None

    def __enter__(self) -> Env:
        from alembic.config import Config

        if self.flask:
            self.config = self._flask_config()
        else:
            assert self.ini is not None
            self.config = Config(self.ini, ini_section=self.section, output_buffer=io.StringIO())
        url = database_url()
        if url and not self.flask:
            self.config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        return self

    def _flask_config(self) -> Any:
        """Flask-Migrate: the app from ``FLASK_APP`` (Flask's own loader), its app context, and the Config that
        Flask-Migrate itself builds (it sets script_location to the migrations directory)."""
        from flask.cli import ScriptInfo

        try:  # .flaskenv / .env, as the `flask` command loads them (when python-dotenv is installed)
            from flask.cli import load_dotenv

            load_dotenv()
        except Exception:  # noqa: BLE001, S110 - no python-dotenv, or an unreadable file: FLASK_APP from the env
            pass
        # FLASK_APP as the `flask` command reads it (Flask < 2.2 read it in ScriptInfo, newer ones in `--app`)
        app = ScriptInfo(app_import_path=os.environ.get("FLASK_APP") or None).load_app()
        self.app_context = app.app_context()
        self.app_context.push()
        directory = str(Path(self.ini).parent) if self.ini else "migrations"
        migrate = app.extensions.get("migrate")
        if migrate is not None and hasattr(migrate, "migrate"):
            cfg = migrate.migrate.get_config(directory)
        else:
            from alembic.config import Config

            cfg = Config(self.ini or str(Path(directory) / "alembic.ini"))
            cfg.set_main_option("script_location", directory)
        cfg.output_buffer = io.StringIO()
        return cfg

    def __exit__(self, *exc: object) -> None:
        if self.app_context is not None:
            self.app_context.pop()

    def run(self, fn: Any, *, as_sql: bool) -> Any:
        """Run env.py with ``fn`` as the migration function; ``fn`` raises :class:`Captured` with its answer."""
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self.config)
        with EnvironmentContext(self.config, script, fn=fn, as_sql=as_sql, dont_mutate=True):
            try:
                script.run_env()
            except Captured as got:
                return got.value
        raise ProbeProblem("env.py", "env.py finished without calling context.run_migrations()",
                           "pgadmin-py reads the models and the database the way `alembic check` does: through the "
                           "migration function env.py runs. Make env.py call context.run_migrations().")


def _capture_metadata(_rev: Any, context: Any) -> list[Any]:
    raise Captured(context.opts.get("target_metadata"))


def env_metadata(env: Env, notes: list[str]) -> Any:
    """``target_metadata`` as env.py configures it: offline first, online (rolled back) if offline is refused."""
    try:
        return env.run(_capture_metadata, as_sql=True)
    except ProbeProblem:
        raise
    except BaseException as offline:
        if isinstance(offline, KeyboardInterrupt):
            raise
        notes.append(f"env.py refused offline mode ({type(offline).__name__}: {offline}); "
                     "it was run online in a transaction that was rolled back.")
    try:
        return env.run(_capture_metadata, as_sql=False)
    except ProbeProblem:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ProbeProblem("env.py", f"Running env.py raised {type(exc).__name__}: {exc}".strip(),
                           "pgadmin-py runs your env.py as `alembic check` would, offline and then online (in a "
                           "transaction it rolls back). Make `alembic check` work in this directory, or set "
                           "SQLALCHEMY_BASE=module:Base to name your models directly.") from None


def find_models(args: argparse.Namespace) -> dict[str, Any]:
    notes: list[str] = []
    extra = [m for m in args.models.split(",") if m]
    metadatas: list[Any] = []
    source = None
    if args.base:
        obj = import_spec(args.base, extra)
        resolved = resolve(obj)
        if resolved is None:
            raise ProbeProblem(args.base, f"{args.base} is a {type(obj).__name__}, not a declarative base, registry "
                               "or MetaData", "Point SQLALCHEMY_BASE at your DeclarativeBase subclass, "
                               "declarative_base() result, registry, MetaData, Flask-SQLAlchemy db, or SQLModel.")
        metadatas = [resolved[0]]
        source = args.base
    elif args.ini or args.flask:
        for module in extra:
            import_spec(module + ":__name__", [])
        with Env(args.ini, args.section, args.flask) as env:
            target = env_metadata(env, notes)
        metadatas = _metadatas(target)
        where = "Flask-Migrate's env.py (in the app context)" if args.flask else "env.py"
        source = f"target_metadata of {where}"
        if not metadatas:
            notes.append(f"{where} sets target_metadata = None, so autogenerate compares nothing; showing the "
                         "classes mapped by then. Set SQLALCHEMY_BASE=module:Base to name your models.")
    else:
        return {"source": None, "catalog": {"models": [], "configure_error": None}, "notes": notes}
    catalog = describe(metadatas, all_registries())
    return {"source": source, "catalog": catalog, "notes": notes}


# ------------------------------------------------------------------------------------------- drift
def _qualified(schema: str | None, table: str) -> str:
    return f"{schema}.{table}" if schema else table


def _modification(op: Any) -> dict[str, Any] | None:
    kind, schema, table, column = op[0], op[1], op[2], op[3]
    name = f"{_qualified(schema, table)}.{column}"
    if kind == "modify_type":
        return _item("type", table, column,
                     f"column {name}: model says {type_text(op[6]).replace('()', '')}, database has "
                     f"{pg_type(op[5]).lower()}")
    if kind == "modify_nullable":
        words = {True: "allows NULL", False: "is NOT NULL"}
        return _item("nullable", table, column,
                     f"column {name}: model {words[bool(op[6])]}, database {words[bool(op[5])]}")
    if kind == "modify_default":
        return _item("default", table, column, f"column {name}: the server default differs from the model")
    if kind == "modify_comment":
        return _item("comment", table, column, f"column {name}: the comment differs from the model")
    return None


def _item(kind: str, table: str, column: str | None, message: str) -> dict[str, Any]:
    return {"kind": kind, "table": table, "column": column, "message": message}


def describe_diff(diff: Any) -> dict[str, Any] | None:
    if isinstance(diff, list):
        return _modification(diff[0]) if diff else None
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        t = diff[1]
        where = "is in the models but not in the database" if kind == "add_table" else \
            "is in the database but no model defines it"
        return _item("missing_table" if kind == "add_table" else "extra_table", t.name, None,
                     f"table {_qualified(t.schema, t.name)} {where}")
    if kind in ("add_column", "remove_column"):
        schema, table, col = diff[1], diff[2], diff[3]
        where = ("is in the model but missing from the database" if kind == "add_column"
                 else "is in the database but not in the model")
        return _item("missing_column" if kind == "add_column" else "extra_column", table, col.name,
                     f"column {_qualified(schema, table)}.{col.name} {where}")
    if kind in ("add_index", "remove_index"):
        ix = diff[1]
        where = "the model declares it but the database lacks it" if kind == "add_index" else "only the database has it"
        cols = ", ".join(c.name for c in ix.columns) if ix.columns is not None else "?"
        return _item("missing_index" if kind == "add_index" else "extra_index", ix.table.name, None,
                     f"index {ix.name} on {ix.table.name} ({cols}): {where}")
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        cols = ", ".join(c.name for c in fk.columns)
        where = "the model declares it but the database lacks it" if kind == "add_fk" else "only the database has it"
        return _item("missing_fk" if kind == "add_fk" else "extra_fk", fk.table.name, None,
                     f"foreign key on {fk.table.name} ({cols}) -> {fk.referred_table.name}: {where}")
    if kind in ("add_constraint", "remove_constraint"):
        con = diff[1]
        where = ("the model declares it but the database lacks it" if kind.startswith("add")
                 else "only the database has it")
        table = getattr(getattr(con, "table", None), "name", "")
        return _item("constraint", table, None, f"constraint {con.name} on {table}: {where}")
    try:
        rest = repr(diff[1:])
    except Exception:  # noqa: BLE001
        rest = ""
    return _item("other", "", None, f"{kind}: {rest[:300]}")


def _compare(_rev: Any, context: Any) -> list[Any]:
    from alembic.autogenerate import compare_metadata

    metadata = context.opts.get("target_metadata") or _OVERRIDE.get("metadata")
    if metadata is None:
        raise Captured({"items": [], "error": "env.py sets target_metadata = None: there are no models to compare."})
    diffs = compare_metadata(context, metadata)
    raise Captured({"items": [i for i in map(describe_diff, diffs) if i is not None], "error": None})


def _render(_rev: Any, context: Any) -> list[Any]:
    from alembic.autogenerate import produce_migrations, render_python_code

    metadata = context.opts.get("target_metadata") or _OVERRIDE.get("metadata")
    if metadata is None:
        raise Captured({"upgrade": "", "downgrade": "", "error": "env.py sets target_metadata = None."})
    script: Any = produce_migrations(context, metadata)
    try:
        up = render_python_code(script.upgrade_ops, migration_context=context)
        down = render_python_code(script.downgrade_ops, migration_context=context)
    except Exception:  # noqa: BLE001 - Alembic < 1.13 refuses a context with a script: render as `revision` does
        from alembic.autogenerate import render
        from alembic.autogenerate.api import AutogenContext

        autogen = AutogenContext(context, metadata=metadata)
        up = render._indent(render._render_cmd_body(script.upgrade_ops, autogen))
        down = render._indent(render._render_cmd_body(script.downgrade_ops, autogen))
    raise Captured({"upgrade": up, "downgrade": down, "error": None})


_OVERRIDE: dict[str, Any] = {}


def _own_context(fn: Any) -> Any:
    """No env.py (SQLALCHEMY_BASE alone): the comparison `alembic check` would make with default settings."""
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    url = database_url()
    if not url:
        raise ProbeProblem("DATABASE_URL", "DATABASE_URL is not set in the probe's environment", "Set DATABASE_URL.")
    metadata = _OVERRIDE["metadata"]
    schemas = {t.schema for t in metadata.tables.values() if t.schema}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                context = MigrationContext.configure(conn, opts={
                    "compare_type": True, "include_schemas": bool(schemas), "target_metadata": metadata})
                fn(None, context)
            except Captured as got:
                return got.value
            finally:
                trans.rollback()
    finally:
        engine.dispose()
    return None


def online(args: argparse.Namespace, fn: Any) -> Any:
    if args.base:
        resolved = resolve(import_spec(args.base, [m for m in args.models.split(",") if m]))
        if resolved is not None:
            _OVERRIDE["metadata"] = resolved[0]
    if not (args.ini or args.flask):
        if "metadata" not in _OVERRIDE:
            raise ProbeProblem("models", "No models to compare", "Set SQLALCHEMY_BASE or ALEMBIC_CONFIG.")
        return _own_context(fn)
    with Env(args.ini, args.section, args.flask) as env:
        try:
            return env.run(fn, as_sql=False)
        except ProbeProblem:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ProbeProblem("env.py", f"Running env.py online raised {type(exc).__name__}: {exc}",
                               "Make `alembic check` work in the project directory with this DATABASE_URL.") from None


# ------------------------------------------------------------------------------------------- main
def _project_files(before: set[str]) -> list[str]:
    """Source files of the modules the project's code imported (to notice when they change)."""
    roots = [p for p in {sys.prefix, sys.base_prefix, sys.exec_prefix} if p]
    out = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name in before or not path or "site-packages" in path or "dist-packages" in path:
            continue
        if any(path.startswith(r) for r in roots):
            continue
        out.append(path)
    return sorted(out)[:2000]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pgadmin-py-model-probe")
    parser.add_argument("action", choices=("models", "drift", "autogenerate"))
    parser.add_argument("--ini", default="")
    parser.add_argument("--section", default="alembic")
    parser.add_argument("--base", default="")
    parser.add_argument("--models", default="")
    parser.add_argument("--flask", action="store_true")
    args = parser.parse_args(argv)
    out = sys.stdout
    sys.stdout = sys.stderr  # whatever the project prints must not corrupt the answer
    # Like `python -m alembic` in this directory, but after everything else: never shadows the standard library.
    if str(Path.cwd()) not in sys.path:
        sys.path.append(str(Path.cwd()))
    before = set(sys.modules)
    answer: dict[str, Any] = {"python": sys.executable, "versions": _versions()}
    try:
        if args.action == "models":
            answer.update(find_models(args))
        elif args.action == "drift":
            answer.update(online(args, _compare) or {"items": [], "error": "nothing was compared"})
        else:
            answer.update(online(args, _render) or {"upgrade": "", "downgrade": "", "error": "nothing was rendered"})
    except ProbeProblem as problem:
        answer["problem"] = problem.fact
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        answer["problem"] = {"spec": args.base or args.ini or "models",
                             "summary": f"{type(exc).__name__}: {exc}".strip(),
                             "hint": "See the traceback; the probe ran your env.py / models in your interpreter.",
                             "traceback": traceback.format_exc(), "sys_path": list(sys.path), "missing_module": None}
    answer["files"] = _project_files(before)
    out.write("\n" + MARK + "\n" + json.dumps(answer, default=str) + "\n")
    out.flush()
    return 0


def _versions() -> dict[str, str]:
    found = {}
    for name in ("sqlalchemy", "alembic", "flask_sqlalchemy", "sqlmodel", "flask"):
        module = sys.modules.get(name)
        if module is None and name in ("sqlalchemy", "alembic"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
        version = getattr(module, "__version__", None) if module is not None else None
        if version:
            found[name] = str(version)
    return found


if __name__ == "__main__":
    # Run as a file, Python put this package's directory first on sys.path: remove it so our module
    # names can never shadow the user's own modules.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    sys.exit(main())
