"""Errors of the data browser that more than one of its modules raises."""

from __future__ import annotations

from pgadmin_py.core.errors import QueryTimeout

TIMEOUT_HINT = ("Add an index on the column you sort or filter by, or narrow the filters "
                "(an equality filter on an indexed column is fastest).")


class QueryTimeoutError(QueryTimeout):
    """A browse or export query stopped by the statement timeout, with the hint that fits browsing."""

    def __init__(self) -> None:
        super().__init__("The query took longer than the statement timeout and was stopped.", TIMEOUT_HINT)
