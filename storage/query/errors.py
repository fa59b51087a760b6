"""The one error a query can raise: what is wrong and where (a character position)."""

from __future__ import annotations

from storage.base import StoreError

_SHOWN_CHARS = 120


class QuerySyntaxError(StoreError, ValueError):
    """A query that cannot be searched, with the position of the problem when there is one.

    ``position`` is a 0-based character offset into the query (None when the query as a whole
    is at fault, e.g. it has no words); messages count characters from 1 (``unbalanced quote at
    14``), as people read them. A :class:`StoreError`, so callers that already turn store errors
    into exit code 2 or HTTP 400 need nothing more.
    """

    def __init__(self, problem: str, query: str, position: int | None = None, hint: str = "") -> None:
        self.problem = problem
        self.query = query
        self.position = position
        self.hint = hint
        where = f" at {position + 1}" if position is not None else ""
        shown = query if len(query) <= _SHOWN_CHARS else query[:_SHOWN_CHARS] + "…"
        tail = f"; {hint}" if hint else ""
        super().__init__(f"{problem}{where} in query '{shown}'{tail}")

    @property
    def column(self) -> int | None:
        """The 1-based character number of the problem, as the message says it."""
        return None if self.position is None else self.position + 1

    def to_dict(self) -> dict[str, object]:
        """What the HTTP API answers with status 400."""
        return {"error": str(self), "problem": self.problem, "position": self.position, "column": self.column}
