"""WTForms classes generated at runtime from the catalog and the model's facts."""

from pgadmin_py.forms.builder import FormClasses, RecordForm, build_form_class, table_facts
from pgadmin_py.forms.facts import DEFAULT, FieldFacts, FkTarget, SqlValue, field_name, searched_fk
from pgadmin_py.forms.fields import PgField

__all__ = ["DEFAULT", "FieldFacts", "FkTarget", "FormClasses", "PgField", "RecordForm", "SqlValue", "build_form_class",
           "field_name", "searched_fk", "table_facts"]
