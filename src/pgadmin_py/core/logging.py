"""Logging set-up with credential masking.

Every record passes through :class:`MaskingFilter`, so a password inside a URL or an exception
message never reaches a log line, whoever formatted it.
"""

from __future__ import annotations

import logging

from pgadmin_py.core.dburl import mask_urls_in


class MaskingFilter(logging.Filter):
    """Rewrites the rendered message so ``scheme://user:secret@`` shows as ``user:***@``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_urls_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = str(exc)
            if mask_urls_in(text) != text:
                record.exc_text = mask_urls_in(
                    logging.Formatter().formatException(record.exc_info)
                )
        return True


def configure_logging(level: str) -> None:
    """Root logging for the server process: one line per record, masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # The drift comparison uses Alembic in-process; its INFO lines ("setup plugin …") are noise here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
