"""Ingest in two stages: what a document's arrival needs at once, then its full analysis.

The *arrival* stage (:meth:`Ingestor.arrive`) is cheap: the unchanged check (same canonical URL,
same content hash: nothing else happens, so re-runs cost almost nothing), the story id, and the
watchlist matcher's entities; then listeners with ``on_arrival`` (the alert engine) fire what needs
no more than that (mentions, first mentions, saved searches) seconds after the document arrived.
The *completion* stage (:meth:`Ingestor.complete`) runs the full analysis (NER, stance, events)
in one batched pass, stores the documents and tells the listeners (``on_document``), which fire
the rules that need analysis (stance shifts, events, links). :class:`pipeline.ingest.staged.StagedIngest`
runs the second stage in a worker thread, so a burst of arrivals never waits behind analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from crawlers.urls import canonicalize_url
from storage.base import Store, UpsertResult
from storage.models import KINDS, Annotations, Document, Entity, Product, utc_now_iso
from storage.url_safety import safe_http_url, unsafe_url_reason

# Marks around the commit of a document and its announcement to the listeners (see ``Ingestor._store``).
ANNOUNCE_PENDING, ANNOUNCED = "ingest-pending", "ingest-announced"
INGEST_FIELDS = ("url", "text", "title", "source", "kind", "published_at", "lang", "author", "product")


class DocumentAnalyzer(Protocol):
    def analyze_document(self, text: str, title: str | None = None, targets: Sequence[str] = (),
                         published_at: str | None = None, lang: str | None = None
                         ) -> tuple[Annotations, str | None]: ...

    def model_versions(self) -> dict[str, str]: ...


class DocumentListener(Protocol):
    def on_document(self, doc: Document, result: UpsertResult) -> None: ...


class ArrivalListener(Protocol):
    """Told about a new or changed document as soon as it arrives, before its full analysis.

    ``doc.annotations`` then holds only the watchlist matcher's entities and the story id.
    """

    def on_arrival(self, doc: Document) -> None: ...


class WatchMatcher(Protocol):
    """What the arrival stage needs of the analyzer's watchlist matcher (``nlp.watchlist.WatchlistMatcher``)."""

    def find(self, text: str) -> Sequence[Any]: ...

    def label(self, entity_id: str) -> str: ...


class StoryAssigner(Protocol):
    """Names the story (near-duplicate cluster) of a document before it is stored."""

    def assign(self, doc: Document) -> str: ...


@dataclass
class IngestCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, source: str, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)
        per = self.by_source.setdefault(source, {"new": 0, "updated": 0, "unchanged": 0})
        per[status] += 1


class IngestError(ValueError):
    """A document record that cannot be ingested; the message names the field."""


def document_from_record(rec: dict[str, Any], default_source: str = "ingest") -> Document:
    """Build a Document from an ``ingest`` JSON line, naming the first bad field in the error."""
    for key in rec:
        if key not in INGEST_FIELDS and key != "id":
            raise IngestError(f"unknown field '{key}' (allowed: {', '.join(INGEST_FIELDS)})")
    for key in ("url", "text"):
        if key not in rec:
            raise IngestError(f"missing '{key}'")
        if not isinstance(rec[key], str):
            raise IngestError(f"field '{key}': expected a string, got {type(rec[key]).__name__}")
    product_fields: dict[str, Any] = rec["product"] if isinstance(rec.get("product"), dict) else {}
    for key, value in [*rec.items(), *((f"product.{k}", v) for k, v in product_fields.items())]:
        if isinstance(value, str) and "\x00" in value:  # no backend stores it alike (PostgreSQL refuses it)
            raise IngestError(f"field '{key}' contains a NUL character (\\u0000)")
    if safe_http_url(rec["url"]) is None:
        raise IngestError(f"field 'url': {unsafe_url_reason(rec['url'])}")
    if not rec["text"].strip():
        raise IngestError("field 'text' is empty")
    for key in ("title", "source", "kind", "published_at", "lang", "author"):
        if rec.get(key) is not None and not isinstance(rec[key], str):
            raise IngestError(f"field '{key}': expected a string, got {type(rec[key]).__name__}")
    kind = rec.get("kind") or ("product" if rec.get("product") else "article")
    if kind not in KINDS:
        raise IngestError(f"field 'kind': expected one of {', '.join(KINDS)}, got {kind!r}")
    product = rec.get("product")
    if product is not None and not isinstance(product, dict):
        raise IngestError("field 'product': expected an object")
    if product:
        product = _product_fields(product)
    try:
        return Document(
            url=rec["url"], text=rec["text"], title=rec.get("title"), source=rec.get("source") or default_source,
            canonical_url=canonicalize_url(rec["url"]), kind=kind, published_at=rec.get("published_at"),
            lang=rec.get("lang"), author=rec.get("author"),
            product=Product.from_dict(product) if product else None,
        )
    except ValueError as exc:
        raise IngestError(str(exc)) from None


def _product_fields(product: dict[str, Any]) -> dict[str, Any]:
    """Product facts are strings (a price may come as a number: kept as its decimal string)."""
    out = dict(product)
    for key, value in product.items():
        if value is None or isinstance(value, str):
            continue
        if key == "price" and isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = str(value)
            continue
        raise IngestError(f"field 'product.{key}': expected a string, got {type(value).__name__}")
    return out


def watchlist_entities(matcher: WatchMatcher, text: str, names: dict[str, str]) -> list[Entity]:
    """The watched mentions of ``text`` as entities, the way the full analysis would link them."""
    return [Entity(text=text[m.start:m.end], start=m.start, end=m.end, label=m.label, entity_id=m.entity_id,
                   canonical=names.get(m.entity_id, text[m.start:m.end])) for m in matcher.find(text)]


class Ingestor:
    """Arrive -> analyze -> store -> notify listeners. Construct once per run; it holds no global state.

    ``lock`` guards every use of the store (and the listeners, which use it too): when the
    completion stage runs in another thread, the arrival stage and it take turns on the one
    connection, while the analysis itself runs outside the lock.
    """

    def __init__(self, store: Store, analyzer: DocumentAnalyzer | None = None,
                 listeners: Iterable[Any] = (), stories: StoryAssigner | None = None,
                 early_alerts: bool = True, lock: AbstractContextManager[Any] | None = None) -> None:
        self.store = store
        self.analyzer = analyzer
        self.listeners: list[DocumentListener] = [x for x in listeners if hasattr(x, "on_document")]
        self._matcher: WatchMatcher | None = getattr(analyzer, "matcher", None)
        # An analyzer without a matcher gives no entities before its analysis: then nothing is early.
        early = early_alerts and (analyzer is None or self._matcher is not None)
        self.arrival_listeners: list[ArrivalListener] = (
            [x for x in listeners if hasattr(x, "on_arrival")] if early else [])
        self.stories = stories
        self.counts = IngestCounts()
        self.lock: AbstractContextManager[Any] = lock or nullcontext()
        self._versions: dict[str, str] | None = None if analyzer else {}  # asked on first use (see _apply)
        entries = getattr(self._matcher, "entries", {}) or {}
        self._names = {eid: getattr(e, "name", eid) for eid, e in entries.items()}

    def ingest(self, doc: Document) -> UpsertResult:
        """Both stages for one document, in this thread."""
        unchanged = self.arrive(doc)
        if unchanged is not None:
            return unchanged
        return self.complete([doc])[0]

    def arrive(self, doc: Document) -> UpsertResult | None:
        """The arrival stage; returns the result for an unchanged document (nothing more to do), else None."""
        result, fresh = self.arrive_result(doc)
        return None if fresh else result

    def arrive_result(self, doc: Document) -> tuple[UpsertResult, bool]:
        """The arrival stage; returns what storing ``doc`` will answer and whether it still has to complete."""
        with self.lock:
            existing = self.store.get(doc.id)
            if existing is not None and existing.content_hash == doc.content_hash and not self._unannounced(doc):
                self.counts.add(doc.source, "unchanged")
                return UpsertResult(existing.id, "unchanged", existing.version), False
            expected = (UpsertResult(doc.id, "new", 1) if existing is None
                        else UpsertResult(doc.id, "updated", existing.version + 1))
            if existing is not None and existing.content_hash == doc.content_hash:
                # stored by a run killed before its listeners had it: stored as is, announced again
                expected = UpsertResult(doc.id, "unchanged", existing.version)
            self._tell_arrival(doc)
        return expected, True

    def _tell_arrival(self, doc: Document) -> None:
        """Story id, watchlist entities, then the arrival listeners (the alerts that need no analysis)."""
        if self.stories is not None:
            doc.annotations.story_id = self.stories.assign(doc)
        if not self.arrival_listeners:
            return
        if self._matcher is not None:
            doc.annotations.entities = watchlist_entities(self._matcher, doc.text, self._names)
        for listener in self.arrival_listeners:
            listener.on_arrival(doc)

    def complete(self, docs: list[Document]) -> list[UpsertResult]:
        """The completion stage for arrived documents: one batched analysis, then store and announce each."""
        if self.analyzer is not None and docs:
            batched = getattr(self.analyzer, "annotate_many", None)
            if batched is not None:
                contexts = ((d.text, {"title": d.title, "published_at": d.published_at, "lang": d.lang,
                                          "kind": d.kind})
                            for d in docs)
                for doc, (annotations, lang) in zip(docs, batched(contexts), strict=True):
                    self._apply(doc, annotations, lang)
            else:
                for doc in docs:
                    self._annotate(doc)
        return [self._store(doc) for doc in docs]

    def _store(self, doc: Document) -> UpsertResult:
        """Commit, then tell the listeners (the story id was given on arrival)."""
        with self.lock:
            announce = self._announce_key(doc)
            if announce:
                self.store.mark_once(ANNOUNCE_PENDING, announce)
            result = self.store.upsert(doc)
            doc.version = result.version
            self.counts.add(doc.source, result.status)
            heard = result
            if result.status == "unchanged" and announce and self._unannounced(doc):
                # Stored by a run killed before its listeners had it: announce that version now.
                heard = UpsertResult(result.id, "new" if result.version == 1 else "updated", result.version)
            if heard.status != "unchanged":
                for listener in self.listeners:
                    listener.on_document(doc, heard)
            if announce:
                self.store.mark_once(ANNOUNCED, announce)
        return result

    def landed(self, doc: Document) -> bool:
        """Is this content of ``doc`` stored and announced already (a re-delivered analysis task: nothing to do)?"""
        with self.lock:
            stored = self.store.get(doc.id)
            return (stored is not None and stored.content_hash == doc.content_hash
                    and not self._unannounced(doc))

    def _announce_key(self, doc: Document) -> str | None:
        return f"{doc.id}|{doc.content_hash}" if self.listeners else None

    def _unannounced(self, doc: Document) -> bool:
        """Was this content stored by a run that died before every listener (alerts) had it?

        ``_store`` notes the document as pending before its commit and as announced after its
        listeners: pending without announced means the process was killed in between.
        """
        key = self._announce_key(doc)
        if key is None:
            return False
        return self.store.was_marked(ANNOUNCE_PENDING, key) and not self.store.was_marked(ANNOUNCED, key)

    def ingest_many(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[UpsertResult]:
        """Ingest a stream in chunks: unchanged documents are skipped, the rest analyzed in one
        batched pass (spaCy's ``nlp.pipe``), then stored and announced one by one, in input order."""
        chunk: list[Document] = []
        for doc in docs:
            chunk.append(doc)
            if len(chunk) >= batch_size:
                yield from self.ingest_batch(chunk)
                chunk = []
        if chunk:
            yield from self.ingest_batch(chunk)

    def ingest_batch(self, docs: list[Document]) -> list[UpsertResult]:
        """Every document arrives first (alerts that need no analysis fire now), then the fresh ones complete."""
        early = [self.arrive(doc) for doc in docs]
        fresh = iter(self.complete([d for d, r in zip(docs, early, strict=True) if r is None]))
        return [r if r is not None else next(fresh) for r in early]

    def _annotate(self, doc: Document) -> None:
        assert self.analyzer is not None
        annotations, lang = self.analyzer.analyze_document(doc.text, title=doc.title,
                                                            published_at=doc.published_at, lang=doc.lang)
        self._apply(doc, annotations, lang)

    def _apply(self, doc: Document, annotations: Annotations, lang: str | None) -> None:
        annotations.story_id = annotations.story_id or doc.annotations.story_id
        doc.annotations = annotations
        doc.lang = doc.lang or lang
        if self._versions is None:
            assert self.analyzer is not None
            self._versions = self.analyzer.model_versions()  # after the analysis: a process analyzer has loaded
        doc.provenance.models.update(self._versions)
        doc.provenance.fetched_at = doc.provenance.fetched_at or doc.fetched_at or utc_now_iso()
