"""Create and edit rows through generated forms, each write one transaction, edits optimistic.

An edit form carries the row's version (``xmin``, or the model's ``version_id_col``) and a record of the
values it loaded (:mod:`pgadmin_py.forms.baseline`). Saving locks the row and writes only the fields the
person changed (:mod:`pgadmin_py.records.merge`): none changed, no UPDATE at all. A stale version refuses
the save and shows both versions, the form now holding theirs with the person's changes on top; saving
that ("save anyway") writes the person's changes only, so the other person's changes to other fields stay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from pgadmin_py.catalog.tables import TableInfo, read_table
from pgadmin_py.core.pk import InvalidKey, decode_pk
from pgadmin_py.db.engine import is_connection_error
from pgadmin_py.forms import FormClasses, RecordForm
from pgadmin_py.forms import baseline as bl
from pgadmin_py.orm.introspect import ModelCatalog, ModelInfo
from pgadmin_py.records import cascade, fk, merge, refresh, sql
from pgadmin_py.records.cascade import DeletePlan, DeleteResult
from pgadmin_py.records.errors import NothingSelected, NotWritable, RowNotFound, explain
from pgadmin_py.records.fk import FkOptions
from pgadmin_py.records.merge import ConflictColumn
from pgadmin_py.records.refresh import Refreshed
from pgadmin_py.records.versiontable import VersionChange, is_version_table


@dataclass(slots=True)
class Editor:
    """Everything a form page shows: the table, the form, and for an edit its key and version."""

    info: TableInfo
    form: RecordForm
    key: tuple[str, ...] | None = None
    version: str | None = None
    conflict: tuple[ConflictColumn, ...] = ()
    saved_key: tuple[str, ...] | None = None
    notes: list[str] = field(default_factory=list)
    baseline: str | None = None  # an edit form's record of the values it loaded (forms.baseline)
    unchanged: bool = False  # an edit saved with nothing changed: nothing was written
    confirm: VersionChange | None = None  # a write to Alembic's version table, not done until confirmed

    @property
    def version_table(self) -> bool:
        return is_version_table(self.info)

    @property
    def is_new(self) -> bool:
        return self.key is None


def insert_problem(info: TableInfo) -> str | None:
    """Why rows cannot be added to this relation, in words; None when they can (any table: a new row needs
    no key to be found by)."""
    if not info.is_table:
        return f"{info.schema}.{info.name} is a {info.kind}; its rows cannot be edited here."
    return None


def writable_problem(info: TableInfo) -> str | None:
    """Why rows of this relation cannot be edited or deleted, in words; None when they can."""
    if (problem := insert_problem(info)) is not None:
        return problem
    if not info.primary_key:
        return (f"{info.schema}.{info.name} has no primary key, so a row cannot be identified safely "
                "(two rows may be identical). Add a primary key to edit its rows.")
    return None


def parse_key(info: TableInfo, segment: str) -> tuple[str, ...]:
    try:
        key = decode_pk(segment, len(info.primary_key))
    except InvalidKey as exc:
        raise RowNotFound(str(exc), "Open the row from its table instead of typing the address.") from None
    if any("\x00" in part for part in key):
        raise RowNotFound("A key cannot contain the NUL character.", "Open the row from its table instead.")
    return key


@contextmanager
def bad_key(info: TableInfo, key: Sequence[str]) -> Iterator[None]:
    """A key value PostgreSQL cannot cast to the key's type (``abc`` for an integer) names no row."""
    try:
        yield
    except DBAPIError as exc:
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):
            raise RowNotFound(f"({', '.join(key)}) is not a valid key of {info.schema}.{info.name}: "
                              f"{getattr(getattr(exc.orig, 'diag', None), 'message_primary', None) or exc.orig}.",
                              "Open the row from its table instead of typing the address.") from None
        raise


class Records:
    """One per app (built by ``create_app``); the models' facts are asked for per call, so a reread of the
    project's models is seen at once, and the generated form classes are kept per table."""

    def __init__(self, engine: Engine, models: Callable[[], ModelCatalog]) -> None:
        self.engine = engine
        self._catalog = models
        self._forms = FormClasses()

    @property
    def models(self) -> ModelCatalog:
        """The models' facts as they are now."""
        return self._catalog()

    # ----------------------------------------------------------------- lookup
    def table(self, schema: str, name: str) -> TableInfo:
        with self.engine.connect() as conn:
            return read_table(conn, schema, name)

    def writable_table(self, schema: str, name: str, *, insert: bool = False) -> TableInfo:
        """The table, when its rows can be edited (``insert``: added); else :class:`NotWritable`."""
        info = self.table(schema, name)
        problem = insert_problem(info) if insert else writable_problem(info)
        if problem is not None:
            raise NotWritable(problem, "Browse the rows instead, or use the SQL console.")
        return info

    def _model(self, info: TableInfo) -> ModelInfo | None:
        """The model's facts for this table (None: the form comes from the catalog alone)."""
        return self.models.for_table(info.schema, info.name)

    def form_class(self, info: TableInfo) -> type[RecordForm]:
        return self._forms.get(info, self._model(info))

    def version_column(self, info: TableInfo) -> str | None:
        """The model's ``version_id_col`` when it is a column of this table, else None (use xmin)."""
        model = self._model(info)
        name = model.version_id_col if model is not None else None
        return name if name is not None and name in info.column_names else None

    # ----------------------------------------------------------------- reads
    def _read(self, conn: Connection, info: TableInfo, key: Sequence[str], *, lock: bool = False) -> tuple[
            str, dict[str, object]]:
        conn.execute(text(sql.SESSION_SETTINGS))
        query, params = sql.select_row(info, key, self.version_column(info), lock=lock)
        with bad_key(info, key):
            row = conn.execute(text(query), params).mappings().first()
        if row is None:
            raise RowNotFound(f"{info.schema}.{info.name} has no row with key ({', '.join(key)}).",
                              "It may have been deleted meanwhile; go back to the table.")
        values = {c.name: (c.is_array and row[f"b{i}"]) or row[f"c{i}"] for i, c in enumerate(info.columns)}
        return str(row[sql.VERSION_LABEL]), values

    def new(self, schema: str, name: str) -> Editor:
        info = self.writable_table(schema, name, insert=True)
        return Editor(info, self.form_class(info)(mode="new"))

    def edit(self, schema: str, name: str, segment: str) -> Editor:
        info = self.writable_table(schema, name)
        key = parse_key(info, segment)
        with self.engine.connect() as conn:
            version, values = self._read(conn, info, key)
        form = self.form_class(info)(mode="edit", data=values)
        return Editor(info, form, key=key, version=version, baseline=bl.encode(bl.snapshot(form.pg_fields())))

    # ----------------------------------------------------------------- one cell (inline editing)
    def cell_field(self, info: TableInfo, column: str) -> str:
        """The form field of a cell a person may change in place: any writable column but the key's."""
        facts = next((f for f in self.form_class(info).facts if f.column == column), None)
        where = f"{info.schema}.{info.name}"
        if facts is None:
            raise RowNotFound(f'{where} has no column "{column[:60]}".', "Reload the table: it may have changed.")
        if facts.read_only is not None:
            raise NotWritable(f"{where}.{column} is set by the database ({facts.read_only}); it cannot be edited.",
                              "Edit another column.")
        if facts.is_pk:
            raise NotWritable(f"{where}.{column} is part of the row's key, which is not edited in place.",
                              "Open the row's form (Edit) to change its key.")
        return facts.field_name

    def edit_cell(self, schema: str, name: str, segment: str, column: str) -> Editor:
        """The edit form of a row, for one of its cells: the version, and the baseline of that field alone."""
        editor = self.edit(schema, name, segment)
        self.cell_field(editor.info, column)  # refuses an unknown, generated or key column
        field = editor.form.field_for(column)
        assert field is not None
        editor.baseline = bl.encode(bl.snapshot([field]))
        return editor

    def update_cell(self, schema: str, name: str, segment: str, column: str, formdata: Any,
                    version: str, baseline: str | None) -> Editor:
        """:meth:`update` with that one field posted: the same transaction, merge and conflict rules."""
        field_name = self.cell_field(self.writable_table(schema, name), column)
        # only that field goes on (a posted field of another column is not this cell's to write); the same
        # mapping type, as WTForms reads it through getlist
        posted = type(formdata)({field_name: formdata[field_name]} if field_name in formdata else {})
        return self.update(schema, name, segment, posted, version, baseline)

    # ----------------------------------------------------------------- delete, search
    def delete_plan(self, schema: str, name: str, segments: Sequence[str]) -> DeletePlan:
        info = self.writable_table(schema, name)
        keys = delete_keys(info, segments)
        with bad_key(info, keys[0]):
            return cascade.preview(self.engine, info, keys)

    def delete(self, schema: str, name: str, segments: Sequence[str]) -> DeleteResult:
        info = self.writable_table(schema, name)
        keys = delete_keys(info, segments)
        with bad_key(info, keys[0]):
            return cascade.delete(self.engine, info, keys)

    def fk_search(self, schema: str, name: str, column: str, q: str) -> FkOptions:
        return fk.search(self.engine, self.table(schema, name), column, q)

    def refresh(self, schema: str, name: str) -> Refreshed:
        """REFRESH MATERIALIZED VIEW (:mod:`~pgadmin_py.records.refresh`)."""
        return refresh.refresh(self.engine, self.table(schema, name))

    # ----------------------------------------------------------------- writes
    def create(self, schema: str, name: str, formdata: Any, *, confirmed: str | None = None) -> Editor:
        """Insert a row (``saved_key`` is its key, ``()`` for a table without one); into Alembic's version table
        only once ``confirmed`` names the revision it records (records/versiontable.py)."""
        info = self.writable_table(schema, name, insert=True)
        editor = Editor(info, self.form_class(info)(formdata, mode="new"))
        if not editor.form.validate():
            return editor
        revision = _revision(editor.form.sql_values())
        if editor.version_table and not _confirms(confirmed, revision):
            editor.confirm = VersionChange(info.name, None, revision)
            return editor
        query, params = sql.insert(info, editor.form.sql_values())
        editor.saved_key = self._write(editor, query, params)
        return editor

    def update(self, schema: str, name: str, segment: str, formdata: Any, version: str,
               baseline: str | None = None, *, confirmed: str | None = None) -> Editor:
        """Write the fields the person changed since loading the form (:mod:`~pgadmin_py.records.merge`);
        nothing at all when they changed none. A stale version is a conflict: the form comes back merged.
        A change to Alembic's version table is written only once ``confirmed`` names the new revision."""
        info = self.writable_table(schema, name)
        key = parse_key(info, segment)
        form_class = self.form_class(info)
        editor = Editor(info, form_class(formdata, mode="edit"), key=key, version=version, baseline=baseline)
        try:
            base = bl.decode(baseline)
        except bl.DamagedBaseline as exc:
            editor.form.add_error(None, f"{exc} Reload the row and make your change again.")
            editor.baseline = None
            return editor
        version_column = self.version_column(info)
        try:
            with self.engine.begin() as conn:
                current, values = self._read(conn, info, key, lock=True)
                theirs = form_class(mode="edit", data=values)
                edit = merge.plan(editor.form, theirs, base)
                merge.keep_unwritten(editor.form, theirs, edit)
                if not editor.form.validate():
                    return editor
                if not edit.writes:
                    editor.unchanged, editor.saved_key = True, key
                    return editor
                if current != version:
                    merge.show_merge(editor.form, theirs, edit)
                    editor.conflict, editor.version = edit.conflict, current  # saving again writes yours
                    editor.baseline = bl.encode(edit.next_base)
                    return editor
                revision = _revision(editor.form.sql_values())
                if editor.version_table and not _confirms(confirmed, revision):
                    before = values.get("version_num")
                    editor.confirm = VersionChange(info.name, "" if before is None else str(before), revision)
                    return editor
                query, params = sql.update(info, key, editor.form.sql_values(), version_column,
                                           version_increment=version_column is not None)
                saved = conn.execute(text(query), params).first()
        except DBAPIError as exc:
            self._explain(exc, editor)
            return editor
        editor.saved_key = tuple(str(v) for v in saved) if saved is not None else key
        return editor

    def _write(self, editor: Editor, query: str, params: Mapping[str, str]) -> tuple[str, ...] | None:
        try:
            with self.engine.begin() as conn:
                conn.execute(text(sql.SESSION_SETTINGS))
                result = conn.execute(text(query), dict(params))
                if not editor.info.primary_key:  # inserted into a table without a key: nothing to return
                    return ()
                row = result.first()
        except DBAPIError as exc:
            self._explain(exc, editor)
            return None
        return tuple(str(v) for v in row) if row is not None else None

    @staticmethod
    def _explain(exc: DBAPIError, editor: Editor) -> None:
        state = getattr(exc.orig, "sqlstate", None)
        if is_connection_error(exc) and (state is None or str(state).startswith(("08", "57P"))):
            raise exc  # the server is gone: the app shows its "waiting for the database" page
        explain(exc, editor.info, editor.form)


def _revision(values: Mapping[str, object]) -> str | None:
    value = values.get("version_num")
    return value if isinstance(value, str) else None


def _confirms(confirmed: str | None, revision: str | None) -> bool:
    """The confirmation posted is for this very revision (a changed value asks again)."""
    return confirmed is not None and confirmed == (revision or "")


MAX_DELETE_KEYS = 1000


def delete_keys(info: TableInfo, segments: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Distinct, decoded keys of a (bulk) delete, in the order given."""
    if not segments:
        raise NothingSelected("No rows were selected, so nothing was deleted.",
                              "Go back, tick the rows to delete in the table, then press Delete selected.")
    if len(segments) > MAX_DELETE_KEYS:
        raise NotWritable(f"{len(segments)} rows selected; at most {MAX_DELETE_KEYS} can be deleted at once.",
                          "Narrow the selection, or delete with SQL.")
    return tuple(dict.fromkeys(parse_key(info, s) for s in segments))
