"""Read a ``COPY ... TO STDOUT`` at the speed PostgreSQL sends it.

psycopg's ``Copy.read()`` returns one row per call through a generator and a wait loop: about
1.3 µs of Python per row, as much CPU as PostgreSQL spends producing the row, and over a million rows
the export's bottleneck. This loop drives the same COPY through ``Connection.pgconn``, the libpq
wrapper psycopg documents for "features not currently wrapped" (psycopg.pq), and takes every row
libpq already holds in one tight loop, waiting on the socket (GIL released) only when it runs dry:
half the CPU per row, so formatting and sending overlap with PostgreSQL instead of queueing behind it.

The statement runs inside the connection's current transaction (psycopg's ``rollback()`` reads the
transaction state from libpq, so it stays correct). A server error becomes the psycopg exception of its
SQLSTATE (``QueryCanceled`` for a timeout). A reader abandoned half-way (the browser went away) leaves
the connection inside the COPY (libpq's transaction status ACTIVE): the caller discards it.
"""

from __future__ import annotations

import selectors
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import pq
from psycopg.errors import lookup


def copy_out(conn: psycopg.Connection[Any], statement: bytes, max_bytes: int) -> Iterator[list[bytes]]:
    """The rows of ``statement`` (a ``COPY ... TO STDOUT``, each row ending in a line break) in lists of
    about ``max_bytes``."""
    pgconn = conn.pgconn
    with selectors.DefaultSelector() as selector:
        selector.register(pgconn.socket, selectors.EVENT_READ)

        def wait() -> None:  # libpq's buffer is empty: sleep on the socket, then read what came
            selector.select()
            pgconn.consume_input()

        pgconn.send_query(statement)
        while pgconn.is_busy():
            wait()
        result = pgconn.get_result()
        if result is None or result.status != pq.ExecStatus.COPY_OUT:
            _finish(pgconn, result)
            raise ValueError("copy_out runs COPY ... TO STDOUT statements only")
        get = pgconn.get_copy_data
        batch: list[bytes] = []
        size = 0
        while True:
            n, data = get(1)  # 1: never block inside libpq (it would hold the GIL)
            if n > 0:
                batch.append(bytes(data))
                size += n
                if size >= max_bytes:
                    yield batch
                    batch, size = [], 0
            elif n == 0:
                wait()
            else:  # -1: the COPY ended, well or badly: the result says which
                break
        if batch:
            yield batch
        while pgconn.is_busy():
            wait()
        _finish(pgconn, pgconn.get_result())


def _finish(pgconn: pq.abc.PGconn, result: pq.abc.PGresult | None) -> None:
    """Collect the remaining results; raise the server's error, if any, as psycopg's exception for it."""
    error = None
    while result is not None:
        if result.status == pq.ExecStatus.FATAL_ERROR and error is None:
            error = result
        result = pgconn.get_result()
    if error is not None:
        sqlstate = (error.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
        message = (error.error_message or b"").decode("utf-8", "replace").strip()
        try:
            cls: type[psycopg.Error] = lookup(sqlstate) if sqlstate else psycopg.DatabaseError
        except KeyError:
            cls = psycopg.DatabaseError
        raise cls(message)
