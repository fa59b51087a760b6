"""Ingest: analyze a document, store it, let alerts look at it, one document at a time (streaming).

Analysis runs inside ingest so that an alert can fire seconds after the document is committed,
whether documents arrive from a crawl, a JSON-lines file or the API. An unchanged document (same
canonical URL, same content hash) is recognised before analysis, so re-runs cost almost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from crawlers.urls import canonicalize_url
from storage.base import Store, UpsertResult
from storage.models import KINDS, Annotations, Document, Product, utc_now_iso

INGEST_FIELDS = ("url", "text", "title", "source", "kind", "published_at", "lang", "author", "product")


class DocumentAnalyzer(Protocol):
    def analyze_document(self, text: str, title: str | None = None, targets: Sequence[str] = (),
                         published_at: str | None = None, lang: str | None = None
                         ) -> tuple[Annotations, str | None]: ...

    def model_versions(self) -> dict[str, str]: ...


class DocumentListener(Protocol):
    def on_document(self, doc: Document, result: UpsertResult) -> None: ...


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
    if not rec["url"].startswith(("http://", "https://")):
        raise IngestError(f"field 'url': expected an http(s) URL, got {rec['url']!r}")
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
    try:
        return Document(
            url=rec["url"], text=rec["text"], title=rec.get("title"), source=rec.get("source") or default_source,
            canonical_url=canonicalize_url(rec["url"]), kind=kind, published_at=rec.get("published_at"),
            lang=rec.get("lang"), author=rec.get("author"),
            product=Product.from_dict(product) if product else None,
        )
    except ValueError as exc:
        raise IngestError(str(exc)) from None


class Ingestor:
    """Analyze -> store -> notify listeners. Construct once per run; it holds no global state."""

    def __init__(self, store: Store, analyzer: DocumentAnalyzer | None = None,
                 listeners: Iterable[DocumentListener] = (), stories: StoryAssigner | None = None) -> None:
        self.store = store
        self.analyzer = analyzer
        self.listeners = list(listeners)
        self.stories = stories
        self.counts = IngestCounts()
        self._versions = analyzer.model_versions() if analyzer else {}

    def ingest(self, doc: Document) -> UpsertResult:
        existing = self.store.get(doc.id)
        if existing is not None and existing.content_hash == doc.content_hash:
            result = UpsertResult(existing.id, "unchanged", existing.version)
        else:
            return self._store(doc, analyzed=False)
        self.counts.add(doc.source, result.status)
        return result

    def _store(self, doc: Document, analyzed: bool) -> UpsertResult:
        """Analyze (unless done in a batch), assign the story, commit, then tell the listeners."""
        if self.analyzer is not None and not analyzed:
            self._annotate(doc)
        if self.stories is not None:
            doc.annotations.story_id = self.stories.assign(doc)
        result = self.store.upsert(doc)
        doc.version = result.version
        self.counts.add(doc.source, result.status)
        if result.status != "unchanged":
            for listener in self.listeners:
                listener.on_document(doc, result)
        return result

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
        unchanged: dict[int, UpsertResult] = {}
        fresh: list[Document] = []
        for i, doc in enumerate(docs):
            existing = self.store.get(doc.id)
            if existing is not None and existing.content_hash == doc.content_hash:
                unchanged[i] = UpsertResult(existing.id, "unchanged", existing.version)
            else:
                fresh.append(doc)
        batched = getattr(self.analyzer, "annotate_many", None)
        if fresh and batched is not None:
            contexts = ((d.text, {"title": d.title, "published_at": d.published_at, "lang": d.lang}) for d in fresh)
            for doc, (annotations, lang) in zip(fresh, batched(contexts), strict=True):
                self._apply(doc, annotations, lang)
        results = []
        for i, doc in enumerate(docs):
            if i in unchanged:
                self.counts.add(doc.source, "unchanged")
                results.append(unchanged[i])
            else:
                results.append(self._store(doc, analyzed=batched is not None))
        return results

    def _annotate(self, doc: Document) -> None:
        assert self.analyzer is not None
        annotations, lang = self.analyzer.analyze_document(doc.text, title=doc.title,
                                                            published_at=doc.published_at, lang=doc.lang)
        self._apply(doc, annotations, lang)

    def _apply(self, doc: Document, annotations: Annotations, lang: str | None) -> None:
        doc.annotations = annotations
        doc.lang = doc.lang or lang
        doc.provenance.models.update(self._versions)
        doc.provenance.fetched_at = doc.provenance.fetched_at or doc.fetched_at or utc_now_iso()
