"""Move one store into another (``newswatch migrate``): SQLite to PostgreSQL and back.

Everything goes through the Store interfaces, so any pair of backends works and each keeps its own
indexes (FTS5, tsvector) up to date. The copy is resumable without any state of its own: documents are
read in the source's stable order (``iter_since``, keyset pages) and what the target already has (same
id, same version and content hash) is skipped, so a run killed part-way just goes on from where it
stopped. A document's older versions are replayed oldest first, so the target numbers them as the
source did. At the end both stores are counted and checksummed per kind.

Crawl state: the frontier of an unfinished crawl (it resumes on the target) and every fetch's validators
(ETag, Last-Modified, body hash: a re-crawl on the target still sends conditional GETs). Not moved (yet):
source health counters, 404 backoff, stories and the correlator's cursors; those stages rebuild them.
Stored times (``stored_at``, a link's ``created_at``) are those of the copy, so they are not checksummed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from storage.base import Store, StoreError
from storage.models import Document

KINDS: tuple[str, ...] = ("documents", "versions", "annotations", "events", "links", "marks", "crawl_frontier",
                          "crawl_fetches")


class MigrateMismatch(StoreError):
    """The target does not hold what the source holds after the copy."""


@dataclass
class KindCheck:
    kind: str
    source_count: int
    target_count: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_count == self.target_count and self.source_sum == self.target_sum


@dataclass
class MigrateReport:
    # Annotations travel inside their document's versions, so they have no count of their own here.
    moved: dict[str, int] = field(default_factory=lambda: dict.fromkeys((k for k in KINDS if k != "annotations"), 0))
    checks: list[KindCheck] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _all_versions(store: Store, doc: Document) -> list[Document]:
    """Oldest first, ending with the current one (backends differ on whether ``versions`` includes it)."""
    older = [v for v in store.versions(doc.id) if v.version < doc.version]
    return [*older, doc]


def _move_document(source: Store, target: Store, doc: Document) -> int:
    """Copy ``doc`` and the versions the target lacks; returns how many versions were written."""
    have = target.get(doc.id)
    if have is not None and have.version == doc.version and have.content_hash == doc.content_hash:
        return 0
    versions = _all_versions(source, doc)
    start = 0
    if have is not None:
        earlier = [v for v in versions if v.version == have.version]
        if have.version > doc.version or not earlier or earlier[0].content_hash != have.content_hash:
            raise MigrateMismatch(
                f"document {doc.id} ({doc.url}) differs between the stores: the target holds version "
                f"{have.version} (hash {have.content_hash[:12]}), the source version {doc.version}; "
                "migrate only into an empty target or one an earlier migrate of this source filled")
        start = versions.index(earlier[0]) + 1
    for v in versions[start:]:
        target.upsert(v)
    return len(versions) - start


def _event_signature(stored: Iterable[Any]) -> list[tuple[str, str]]:
    return sorted((e.key, json.dumps(e.event.to_dict(), sort_keys=True, ensure_ascii=False)) for e in stored)


def _move_events(source: Store, target: Store, doc_id: str) -> int:
    src = source.events.events_of(doc_id)
    if not src:
        return 0
    if _event_signature(src) == _event_signature(target.events.events_of(doc_id)):
        return 0
    first = src[0]
    return target.events.put_events(doc_id, [e.event for e in src], url=first.url, source=first.source,
                                    kind=first.kind, published_at=first.published_at)


def _move_frontier(source: Store, target: Store) -> int:
    """Open crawls with their frontier, in scheduling order; entries the target has are skipped."""
    moved = 0
    for name in source.crawl.open_crawls():
        target.crawl.crawl_begin(name)  # resumes the target's run when an earlier migrate began it
        for entry in source.crawl.frontier_entries(name):
            state = target.crawl.frontier_state(name, entry["key"])
            if state is None:
                target.crawl.frontier_add(name, entry["key"], entry["data"])
            if entry["state"] == "done" and state != "done":
                target.crawl.frontier_done(name, entry["key"])
            moved += state != entry["state"]
    return moved


def migrate(source: Store, target: Store, *, limit: int | None = None,
            progress: Callable[[int], None] | None = None) -> MigrateReport:
    """Copy ``source`` into ``target`` and compare them; ``limit`` stops after that many documents
    were written (to try resuming; the comparison is then skipped)."""
    report = MigrateReport()
    for doc in source.documents.iter_since(None):
        written = _move_document(source, target, doc)
        if written:
            report.moved["documents"] += 1
            report.moved["versions"] += written
        report.moved["events"] += _move_events(source, target, doc.id)
        if progress:
            progress(1)
        if limit is not None and report.moved["documents"] >= limit:
            report.stopped_early = True
            return report
    new_links = target.events.add_links(source.events.links())
    report.moved["links"] = len(new_links)
    for ns, key, value in source.iter_marks():
        report.moved["marks"] += target.mark_once(ns, key, value)
    report.moved["crawl_frontier"] = _move_frontier(source, target)
    for fetch in source.crawl.iter_fetches():
        if target.crawl.fetch_record(fetch.url) != fetch:
            target.crawl.record_fetch(fetch)
            report.moved["crawl_fetches"] += 1
    report.checks = compare(source, target)
    return report


def _digest(items: Iterable[Any]) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    for item in sorted(json.dumps(i, sort_keys=True, ensure_ascii=False) for i in items):
        h.update(item.encode())
        h.update(b"\n")
        n += 1
    return n, h.hexdigest()


def fingerprint(store: Store) -> dict[str, tuple[int, str]]:
    """Per kind: (count, sha256 over its sorted content), leaving out the times of the copy itself."""
    docs: list[Any] = []
    versions: list[Any] = []
    annotations: list[Any] = []
    events: list[Any] = []
    for doc in store.documents.iter_since(None):
        docs.append([doc.id, doc.canonical_url, doc.source, doc.kind, doc.version, doc.content_hash])
        versions.extend([v.id, v.version, v.content_hash, v.text, v.title] for v in _all_versions(store, doc))
        annotations.append([doc.id, doc.annotations.to_dict()])
    for e in store.events.iter_events():
        events.append([e.doc_id, e.key, e.event.to_dict()])
    links = [[link.id, link.rule, link.type, round(link.score, 9), link.explanation, sorted(link.entities),
              [end.id for end in link.events]] for link in store.events.links()]
    marks = [list(m) for m in store.iter_marks()]
    frontier = [[name, e["key"], e["state"], e["data"]] for name in store.crawl.open_crawls()
                for e in store.crawl.frontier_entries(name)]
    fetches = [list(f.to_dict().values()) for f in store.crawl.iter_fetches()]
    return {"crawl_frontier": _digest(frontier), "crawl_fetches": _digest(fetches),
            "documents": _digest(docs), "versions": _digest(versions), "annotations": _digest(annotations),
            "events": _digest(events), "links": _digest(links), "marks": _digest(marks)}


def compare(source: Store, target: Store) -> list[KindCheck]:
    a, b = fingerprint(source), fingerprint(target)
    return [KindCheck(k, a[k][0], b[k][0], a[k][1], b[k][1]) for k in KINDS]
