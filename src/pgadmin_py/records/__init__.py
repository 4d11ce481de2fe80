"""Insert, update and delete rows: generated forms, optimistic concurrency, cascade preview."""

from pgadmin_py.records.cascade import DeletePlan, DeleteResult, Effect
from pgadmin_py.records.errors import DeleteBlocked, NotWritable, RowNotFound
from pgadmin_py.records.fk import FkOption, FkOptions
from pgadmin_py.records.merge import ConflictColumn
from pgadmin_py.records.service import Editor, Records, writable_problem

__all__ = ["ConflictColumn", "DeleteBlocked", "DeletePlan", "DeleteResult", "Editor", "Effect", "FkOption",
           "FkOptions", "NotWritable", "Records", "RowNotFound", "writable_problem"]
