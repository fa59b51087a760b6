"""Move one store into another (``newswatch migrate``): SQLite to PostgreSQL and back.

Everything goes through the Store interfaces, so any pair of backends works and each keeps its own
indexes (FTS5, tsvector) up to date. The copy is resumable without any state of its own: documents are
read in the source's stable order (``iter_since``, keyset pages) and what the target already has (same
id, same version and content hash) is skipped, so a run killed part-way just goes on from where it
stopped. A document's older versions are replayed oldest first, so the target numbers them as the
source did. At the end both stores are counted and checksummed per kind.

Crawl state: the frontier of an unfinished crawl (it resumes on the target) and every fetch's validators
(ETag, Last-Modified, body hash: a re-crawl on the target still sends conditional GETs), each source's
health counters and recorded delays, the gone pages with their backoff (a page left alone for a week stays
left alone), and the quarantined pages. Events state: the stories (members with their MinHash signatures;
the story summaries follow from them), the listing counts per watched entity and day, and the named
cursors. Events are copied in the source's arrival order, one document's events at a time (they arrive
that way), so the target numbers them in the same order; a cursor (the correlator's: the last arrival it
read) is then translated to the target's number of the same event, and the correlator on the target
neither reads an event twice nor skips one. Stored times (``stored_at``, a link's ``created_at``) are those
of the copy, so they are not checksummed; the times the state itself keeps (a gone page's next try, a
story member's ``seen_at``, a quarantined page's time) are copied as they were.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from storage.base import Store, StoreError
from storage.models import Document

KINDS: tuple[str, ...] = ("documents", "versions", "annotations", "events", "links", "marks", "crawl_frontier",
                          "crawl_fetches", "source_health", "crawl_gone", "quarantine", "stories", "listing_counts",
                          "cursors")


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
    prefilled: int = 0  # documents written in bulk into an empty target

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _all_versions(store: Store, doc: Document) -> list[Document]:
    """Oldest first, ending with the current one (backends differ on whether ``versions`` includes it)."""
    older = [v for v in store.versions(doc.id) if v.version < doc.version]
    return [*older, doc]


def _missing_versions(source: Store, target: Store, doc: Document) -> list[Document]:
    """The versions of ``doc`` the target lacks, oldest first (none when it holds the current one)."""
    have = target.get(doc.id)
    if have is not None and have.version == doc.version and have.content_hash == doc.content_hash:
        return []
    versions = _all_versions(source, doc) if doc.version > 1 else [doc]
    start = 0
    if have is not None:
        earlier = [v for v in versions if v.version == have.version]
        if have.version > doc.version or not earlier or earlier[0].content_hash != have.content_hash:
            raise MigrateMismatch(
                f"document {doc.id} ({doc.url}) differs between the stores: the target holds version "
                f"{have.version} (hash {have.content_hash[:12]}), the source version {doc.version}; "
                "migrate only into an empty target or one an earlier migrate of this source filled")
        start = versions.index(earlier[0]) + 1
    return versions[start:]


BATCH = 500
"""Documents written per target transaction: one commit per document would bound a large move by the
disk's fsyncs; a killed run loses at most one batch (the next run writes it again)."""


def _event_signature(stored: Iterable[Any]) -> list[tuple[str, str]]:
    return sorted((e.key, json.dumps(e.event.to_dict(), sort_keys=True, ensure_ascii=False)) for e in stored)


def _put_doc_events(target: Store, src: list[Any]) -> int:
    doc_id = src[0].doc_id
    if _event_signature(src) == _event_signature(target.events.events_of(doc_id)):
        return 0
    first = src[0]
    return target.events.put_events(doc_id, [e.event for e in src], url=first.url, source=first.source,
                                    kind=first.kind, published_at=first.published_at)


def _move_events(source: Store, target: Store) -> int:
    """Every document's events, documents in the order their events arrived in the source.

    ``put_events`` writes one document's events together, so in the source they are consecutive
    arrivals; writing them in that order keeps the target's arrival order the source's, which is
    what lets a cursor (an arrival number) be translated (:func:`_translated_cursor`).
    """
    return sum(_put_doc_events(target, list(group))
               for _, group in groupby(source.events.iter_events(), key=lambda e: e.doc_id))


def _covered(store: Store, value: int) -> tuple[int, str | None]:
    """How many events a cursor at ``value`` has read, and the key of the last one (None: none)."""
    n, last = 0, None
    for e in store.events.iter_events():
        if e.eseq > value:
            break
        n, last = n + 1, e.key
    return n, last


def _translated_cursor(source: Store, target: Store, value: int) -> int:
    """The target's arrival number of the last event the source cursor ``value`` had read (0: none)."""
    _, last = _covered(source, value)
    if last is None:
        return 0
    found = target.events.events_by_key([last]).get(last)
    if found is None:
        raise MigrateMismatch(f"event {last} is in the source but not in the target: the events were not moved")
    return found.eseq


def _move_cursors(source: Store, target: Store) -> int:
    moved = 0
    have = target.events.cursors()
    for name, value in sorted(source.events.cursors().items()):
        value = _translated_cursor(source, target, value)
        if have.get(name) != value:
            target.events.set_cursor(name, value)
            moved += 1
    return moved


def _move_health(source: Store, target: Store) -> int:
    """Each source's counters and delays as they are (set, not added: a second run changes nothing)."""
    moved = 0
    have = {r["source"]: r for r in target.crawl.health_rows()}
    for row in source.crawl.health_rows():
        name = row["source"]
        delays = source.crawl.source_delays(name)
        if have.get(name) != row or target.crawl.source_delays(name) != delays:
            target.crawl.set_health(row)
            target.crawl.set_source_delays(name, delays)
            moved += 1
    return moved


def _move_gone(source: Store, target: Store) -> int:
    have = {p["url"]: p for p in target.crawl.gone_pages()}
    moved = 0
    for page in source.crawl.gone_pages():
        if have.get(page["url"]) != page:
            target.crawl.set_gone(page)
            moved += 1
    return moved


def _quarantine_key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row.get(k) or "") for k in ("url", "source", "reason", "detail", "at"))


def _move_quarantine(source: Store, target: Store) -> int:
    """Quarantined pages the target lacks (rows have no id of their own: compared as a multiset)."""
    have = Counter(_quarantine_key(r) for r in target.quarantined())
    moved = 0
    for row in source.quarantined():
        key = _quarantine_key(row)
        if have[key]:
            have[key] -= 1
            continue
        target.crawl.restore_quarantined(row)
        moved += 1
    return moved


def _move_stories(source: Store, target: Store) -> int:
    """Story members the target lacks or holds differently: a merge of both, ordered by document id."""
    theirs = target.events.iter_story_members()
    current = next(theirs, None)
    moved = 0
    for m in source.events.iter_story_members():
        while current is not None and current["doc_id"] < m["doc_id"]:
            current = next(theirs, None)
        if current != m:
            target.events.put_story_member(m["doc_id"], m["story_id"], m["source"], m["seen_at"], m["signature"])
            moved += 1
    return moved


def _move_listing_counts(source: Store, target: Store) -> int:
    have = {(e, d): n for e, d, n in target.events.all_listing_counts()}
    moved = 0
    for e, d, n in source.events.all_listing_counts():
        if have.get((e, d)) != n:
            target.events.set_listing_count(e, d, n)
            moved += 1
    return moved


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


def _prefill(source: Store, target: Store, report: MigrateReport, progress: Callable[[int], None] | None) -> None:
    """Into an empty target: every document's first version in bulk (``load_new``: COPY or large
    transactions, the target's indexes built once at the end), many times faster than upserting one
    by one. Later versions then go through the ordinary resumable loop, which finds the first ones in
    place. ``load_new`` is all or nothing, so a run killed during it leaves an empty target again."""

    def firsts() -> Iterator[Document]:
        for doc in source.documents.iter_since(None):
            if progress:
                progress(1)
            yield _all_versions(source, doc)[0] if doc.version > 1 else doc

    written = target.documents.load_new(firsts())
    report.moved["documents"] += written
    report.moved["versions"] += written
    report.prefilled = written


def migrate(source: Store, target: Store, *, limit: int | None = None,
            progress: Callable[[int], None] | None = None) -> MigrateReport:
    """Copy ``source`` into ``target`` and compare them; ``limit`` stops after that many documents
    were written (to try resuming; the comparison is then skipped)."""
    report = MigrateReport()
    pending: list[Document] = []  # versions to write, each document's oldest first
    seen = 0

    def flush() -> None:
        nonlocal seen
        target.upsert_many(pending)  # in order, in one transaction: version numbers follow the source's
        pending.clear()
        if progress and not report.prefilled:  # the prefill advanced the bar already
            progress(seen)
        seen = 0

    if limit is None and target.documents.count() == 0:
        _prefill(source, target, report, progress)
    for doc in source.documents.iter_since(None):
        missing = _missing_versions(source, target, doc)
        seen += 1
        if missing:
            pending.extend(missing)
            report.moved["documents"] += 0 if report.prefilled else 1  # a prefilled one is counted already
            report.moved["versions"] += len(missing)
        if len(pending) >= BATCH or (limit is not None and report.moved["documents"] >= limit):
            flush()
        if limit is not None and report.moved["documents"] >= limit:
            report.stopped_early = True
            return report
    flush()
    report.moved["events"] = _move_events(source, target)
    new_links = target.events.add_links(source.events.links())
    report.moved["links"] = len(new_links)
    for ns, key, value in source.iter_marks():
        report.moved["marks"] += target.mark_once(ns, key, value)
    report.moved["crawl_frontier"] = _move_frontier(source, target)
    for fetch in source.crawl.iter_fetches():
        if target.crawl.fetch_record(fetch.url) != fetch:
            target.crawl.record_fetch(fetch)
            report.moved["crawl_fetches"] += 1
    report.moved["source_health"] = _move_health(source, target)
    report.moved["crawl_gone"] = _move_gone(source, target)
    report.moved["quarantine"] = _move_quarantine(source, target)
    report.moved["stories"] = _move_stories(source, target)
    report.moved["listing_counts"] = _move_listing_counts(source, target)
    report.moved["cursors"] = _move_cursors(source, target)
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
    arrivals: list[tuple[int, str]] = []
    for e in store.events.iter_events():
        events.append([e.doc_id, e.key, e.event.to_dict()])
        arrivals.append((e.eseq, e.key))
    links = [[link.id, link.rule, link.type, round(link.score, 9), link.explanation, sorted(link.entities),
              [end.id for end in link.events]] for link in store.events.links()]
    marks = [list(m) for m in store.iter_marks()]
    frontier = [[name, e["key"], e["state"], e["data"]] for name in store.crawl.open_crawls()
                for e in store.crawl.frontier_entries(name)]
    fetches = [list(f.to_dict().values()) for f in store.crawl.iter_fetches()]
    health = [[r, store.crawl.source_delays(r["source"])] for r in store.crawl.health_rows()]
    gone = store.crawl.gone_pages()
    quarantined = [list(_quarantine_key(r)) for r in store.quarantined()]
    stories = [[m["doc_id"], m["story_id"], m["source"], m["seen_at"], (m["signature"] or b"").hex()]
               for m in store.events.iter_story_members()]
    stories += [["story", s["story_id"], s["first_seen"], s["size"], s["sources"], s["lead_doc_id"]]
                for s in store.events.stories()]
    listings = [list(r) for r in store.events.all_listing_counts()]
    # A cursor stands for the events it has read, whatever their numbers in this store.
    cursors = [[name, hashlib.sha256("\n".join(k for q, k in arrivals if q <= value).encode()).hexdigest()]
               for name, value in store.events.cursors().items()]
    return {"crawl_frontier": _digest(frontier), "crawl_fetches": _digest(fetches),
            "source_health": _digest(health), "crawl_gone": _digest(gone), "quarantine": _digest(quarantined),
            "stories": _digest(stories), "listing_counts": _digest(listings), "cursors": _digest(cursors),
            "documents": _digest(docs), "versions": _digest(versions), "annotations": _digest(annotations),
            "events": _digest(events), "links": _digest(links), "marks": _digest(marks)}


def compare(source: Store, target: Store) -> list[KindCheck]:
    a, b = fingerprint(source), fingerprint(target)
    return [KindCheck(k, a[k][0], b[k][0], a[k][1], b[k][1]) for k in KINDS]
