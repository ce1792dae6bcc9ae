"""Count the SQL statements a block of code sends (CONVENTIONS 12: list pages assert their query count).

Tortoise logs every statement at DEBUG on the "tortoise.db_client" logger, on both backends, from
outside and inside transactions; a handler on that logger counts them while the block runs.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator

_SQL = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
# The session's last-use touch runs at most every few minutes, whatever the page: on a slow machine it can
# fall inside one measured request and not the other, so it is not counted as the page's work.
_SESSION_TOUCH = re.compile(r'UPDATE\s+"?web_session"?\s+SET\s+"?last_seen_at', re.IGNORECASE)


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        if message.upper().startswith(_SQL) and not _SESSION_TOUCH.match(message):
            self.statements.append(message)


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """`with count_queries() as statements:` … then `len(statements)`."""
    logger = logging.getLogger("tortoise.db_client")
    counter = _Counter()
    saved = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # keep thousands of statements out of pytest's log capture
    logger.addHandler(counter)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
