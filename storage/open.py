"""Open a store from one URL string, the form used in config files and on the command line."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storage.base import Store, StoreError

ACCEPTED_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, a bare file path, "
    "postgresql://user@host:port/dbname[?schema=name] (or postgres://...)"
)


def open_store(url: str) -> Store:
    """Open (creating if needed) the store that ``url`` names.

    ``sqlite:///`` URLs follow SQLAlchemy: three slashes then a relative path, four for an
    absolute one; parent folders are created. PostgreSQL URLs may carry ``?schema=NAME``
    (default ``newswatch``), which is taken out before the URL reaches the driver.
    """
    url = url.strip()
    if not url:
        raise StoreError(f"empty store URL; accepted forms: {ACCEPTED_FORMS}")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        # Deferred on purpose: each backend loads its driver (psycopg, apsw) only when its URL is asked for.
        from storage.postgres_store import PostgresStore

        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), "newswatch")
        rest = urlencode([(k, v) for k, v in query if k != "schema"])
        return PostgresStore(urlunsplit(parts._replace(query=rest)), schema=schema)
    if scheme == "sqlite":
        path = url[len("sqlite://") :]
        if not path.startswith("/") or path == "/":
            raise StoreError(f"store URL {url!r} has no file path; accepted forms: {ACCEPTED_FORMS}")
        path = path[1:]
    elif scheme == "" and not url.lower().startswith("sqlite:"):
        path = url
    else:
        raise StoreError(f"store URL {url!r} has an unknown scheme; accepted forms: {ACCEPTED_FORMS}")
    from storage.sqlite_store import SQLiteStore  # deferred with the PostgreSQL backend above, for the same reason

    if path != ":memory:":
        path = os.path.expanduser(path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)
