"""``extract --batch`` and ``analyze --batch``: stream requests through the extractor / analyzer.

One answer per non-blank input line, in input order, flushed as it is ready. Models load once;
input is read in chunks so memory stays bounded whatever the file size. Bad lines become error
answers and the run goes on (exit 0); only a usage problem (missing file) or a crash stops it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from crawlers.budgets import DEFAULT_PAGE_BUDGET_S
from crawlers.extract import extract_page
from crawlers.extract_pool import PageOverBudget, over_budget_detail, page_alarm
from pipeline.ingest.html_file import HtmlPathError, read_html_file
from pipeline.ingest.jsonl import JsonlWriter, check_fields, chunks, read_lines
from pipeline.progress import progress

CHUNK = 64
EXTRACT_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {"url": (str, False), "html": (str, False),
                                                                   "html_path": (str, False)}
ANALYZE_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    "text": (str, True), "targets": (list, False), "published_at": (str, False), "lang": (str, False),
    "kind": (str, False)}


class BatchAnalyzer(Protocol):
    def analyze_batch(self, requests: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...


def run_extract(stream: IO[bytes], base: Path, out: JsonlWriter, confine_paths: bool = False,
                page_budget_s: float = DEFAULT_PAGE_BUDGET_S) -> int:
    """Answer every line of an extract request stream; returns the number of answers written.

    ``confine_paths``: ``html_path`` must resolve inside ``base`` (see ``pipeline.ingest.html_file``).
    ``page_budget_s``: a page whose extraction runs longer answers with nothing extracted and a
    warning saying so, and the run goes on (the crawl's workers enforce the same budget).
    """
    with progress("extract") as bar:
        for line in read_lines(stream):
            bar.advance()
            if line.error or line.obj is None:
                out.write(line.error_answer())
                continue
            req = line.obj
            problem = check_fields(req, EXTRACT_FIELDS)
            if problem is None and "html" not in req and "html_path" not in req:
                problem = "missing 'html' or 'html_path'"
            if problem:
                out.write(line.error_answer(problem))
                continue
            try:
                html: bytes | str = str(req["html"]) if "html" in req else \
                    read_html_file(req["html_path"], base, base if confine_paths else None)
            except HtmlPathError as exc:
                out.write(line.error_answer(str(exc)))
                continue
            out.write({"id": req["id"], **extract_within(html, req.get("url"), page_budget_s)})
    return out.count


def extract_within(html: bytes | str, url: str | None, budget_s: float) -> dict[str, Any]:
    """``extract_page`` under a time budget; over it, the answer of an empty page plus the reason."""
    try:
        with page_alarm(budget_s):
            return extract_page(html, url)
    except PageOverBudget:
        answer = extract_page("", url)
        answer["warnings"] = [f"{over_budget_detail(budget_s)}: nothing extracted (the page is too big or too "
                              "deeply nested; raise --page-budget to try harder)"]
        return answer


def _analyze_problem(req: dict[str, Any]) -> str | None:
    problem = check_fields(req, ANALYZE_FIELDS)
    if problem:
        return problem
    targets = req.get("targets") or []
    if not all(isinstance(t, str) for t in targets):
        return "field 'targets': expected a list of strings"
    return None


def run_analyze(stream: IO[bytes], analyzer: BatchAnalyzer, out: JsonlWriter) -> int:
    """Answer every line of an analyze request stream, in order, batching valid requests."""
    with progress("analyze") as bar:
        for chunk in chunks(read_lines(stream), CHUNK):
            valid: list[dict[str, Any]] = []
            slots: list[dict[str, Any] | None] = []
            for line in chunk:
                problem = line.error or (_analyze_problem(line.obj) if line.obj is not None else "unreadable line")
                if problem:
                    slots.append(line.error_answer(problem))
                    continue
                assert line.obj is not None
                valid.append(line.obj)
                slots.append(None)
            answers = iter(analyzer.analyze_batch(valid))
            for slot in slots:
                out.write(slot if slot is not None else next(answers))
            bar.advance(len(chunk))
    return out.count
