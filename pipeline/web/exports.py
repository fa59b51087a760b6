"""Streamed exports of the stored documents with their annotations: CSV, JSON Lines, Parquet.

Rows are read from the store page by page and written as they come, so an export of any size holds
one page in memory and has no row cap. The flat record and the CSV formula guard are those of
``newswatch export``; Parquet needs pyarrow (a dependency), and says so when it is missing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from pipeline.rows import flat_record, neutralise_formula
from storage.base import Store
from storage.models import Document

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
           "parquet": "application/vnd.apache.parquet"}
NESTED = ("entity_ids", "entities", "quotes", "stance", "events")
ROWS_PER_CHUNK = 500


class ExportUnavailable(RuntimeError):
    """The format cannot be written here (pyarrow missing for Parquet)."""


def _columns() -> list[str]:
    return list(flat_record(Document(url="https://example.invalid/", text="")).keys())


def _cell(key: str, value: Any) -> Any:
    if key in NESTED:
        return json.dumps(value, ensure_ascii=False)
    return value


def _jsonl(docs: Iterator[Any]) -> Iterator[bytes]:
    buf: list[str] = []
    for doc in docs:
        buf.append(json.dumps(doc.to_dict(), ensure_ascii=False))
        if len(buf) >= ROWS_PER_CHUNK:
            yield ("\n".join(buf) + "\n").encode("utf-8")
            buf = []
    if buf:
        yield ("\n".join(buf) + "\n").encode("utf-8")


def _csv(docs: Iterator[Any]) -> Iterator[bytes]:
    columns = _columns()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for n, doc in enumerate(docs, 1):
        rec = flat_record(doc)
        writer.writerow([neutralise_formula(_cell(c, rec.get(c))) for c in columns])
        if n % ROWS_PER_CHUNK == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


class _Sink(io.RawIOBase):
    """A write-only file whose written bytes are taken out as they come (Parquet row groups)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.chunks.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def _parquet(docs: Iterator[Any]) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = _columns()
    types = {"version": pa.int64(), "tone": pa.float64()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in columns])

    def table(rows: list[dict[str, Any]]) -> Any:
        data = {c: [r.get(c) if c in types else (None if r.get(c) is None else str(_cell(c, r.get(c))))
                    for r in rows] for c in columns}
        return pa.Table.from_pydict(data, schema=schema)

    sink = _Sink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    rows: list[dict[str, Any]] = []
    for doc in docs:
        rows.append(flat_record(doc))
        if len(rows) >= ROWS_PER_CHUNK:
            writer.write_table(table(rows))
            rows = []
            yield sink.take()
    if rows:
        writer.write_table(table(rows))
    writer.close()
    yield sink.take()


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401 - only whether it imports
        except ImportError:
            raise ExportUnavailable("Parquet export needs pyarrow, which is not installed here "
                                    "(pip install pyarrow); CSV and JSON Lines work without it") from None


def stream_export(open_store: Callable[[], AbstractContextManager[Store]], fmt: str,
                  since: str | None = None) -> Iterator[bytes]:
    """The export as byte chunks; the store is opened when the first chunk is asked for."""
    writers = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet}
    with open_store() as store:
        yield from writers[fmt](store.iter_since(since))
