"""The document model: one typed record for every kind of thing newswatch stores.

This module is the ground floor of the house: ``crawlers`` and ``nlp`` import these types,
``storage`` persists them, ``pipeline`` delivers them. It imports nothing of ours, so that every
room can depend on it without cycles. Field names and shapes mirror the public contracts in
``CONTRACTS.md`` (spans are code-point offsets, ``end`` exclusive; dates are ISO 8601 strings).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

Kind = Literal["article", "product", "post", "feed_item"]
KINDS: tuple[str, ...] = ("article", "product", "post", "feed_item")
StanceLabel = Literal["favor", "against", "neutral"]


def utc_now_iso() -> str:
    """The current UTC time as an ISO 8601 string with ``Z``, to the second."""
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(title: str | None, text: str, product: Product | None = None) -> str:
    """Hash of what a reader sees; a change here makes a new stored version of a document."""
    h = hashlib.sha256()
    h.update((title or "").strip().encode("utf-8"))
    h.update(b"\x00")
    h.update(" ".join(text.split()).encode("utf-8"))
    if product is not None:
        h.update(b"\x00")
        h.update(repr(sorted(product.to_dict().items())).encode("utf-8"))
    return h.hexdigest()


def document_id(canonical_url: str) -> str:
    """Stable id of a document: derived from its canonical URL, so every version shares it."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Span:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(text=d["text"], start=int(d["start"]), end=int(d["end"]))


@dataclass
class Entity:
    text: str
    start: int
    end: int
    label: str
    entity_id: str | None = None
    canonical: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        kwargs: dict[str, Any] = {f.name: d.get(f.name) for f in fields(cls) if f.name in d}
        return cls(**kwargs)


@dataclass
class Stance:
    target: str
    label: str
    score: float
    holder: str
    evidence: Span
    entity_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "entity_id": self.entity_id,
            "label": self.label,
            "score": self.score,
            "holder": self.holder,
            "evidence": self.evidence.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stance:
        return cls(
            target=d["target"],
            label=d["label"],
            score=float(d["score"]),
            holder=d["holder"],
            evidence=Span.from_dict(d["evidence"]),
            entity_id=d.get("entity_id"),
        )


@dataclass
class Speaker:
    """``named`` False: the text gives only a role ("a spokeswoman said"); ``text`` and ``title`` are
    then that role as written, and the contract's ``name`` is null."""

    text: str
    entity_id: str | None = None
    affiliation: str | None = None
    title: str | None = None
    named: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "entity_id": self.entity_id, "affiliation": self.affiliation,
                "title": self.title, "name": self.text if self.named else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Speaker:
        return cls(text=d["text"], entity_id=d.get("entity_id"), affiliation=d.get("affiliation"),
                   title=d.get("title"), named=d.get("name", d["text"]) is not None)


@dataclass
class Quote:
    text: str
    start: int
    end: int
    speaker: Speaker | None = None
    stance: list[Stance] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "stance": [s.to_dict() for s in self.stance],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        sp = d.get("speaker")
        return cls(
            text=d["text"],
            start=int(d["start"]),
            end=int(d["end"]),
            speaker=Speaker.from_dict(sp) if sp else None,
            stance=[Stance.from_dict(s) for s in d.get("stance", [])],
        )


# --------------------------------------------------------------------------- events and links
# Typed forms of the ``event`` and stored ``link`` shapes of CONTRACTS.md. Fields a newer extractor adds
# beyond these ride along in ``extra`` (written back by ``to_dict``), so a stored record survives a round
# trip through an older newswatch whole.


def _span_or_none(d: Any) -> Span | None:
    return Span.from_dict(d) if isinstance(d, dict) and "text" in d else None


def _need(d: Any, key: str, what: str) -> Any:
    if not isinstance(d, dict):
        raise ValueError(f"{what}: expected an object, got {type(d).__name__}")
    if d.get(key) is None:
        raise ValueError(f"{what}: missing {key!r}")
    return d[key]


_ACTOR_KEYS = frozenset({"role", "text", "title", "entity_id", "country"})


@dataclass(slots=True)
class Actor:
    """Who takes part in an event, in ``role`` (company, visitor, host, agency, target, ...)."""

    role: str
    text: str
    title: str | None = None
    entity_id: str | None = None
    country: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "text": self.text, "title": self.title, "entity_id": self.entity_id,
                "country": self.country, **self.extra}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Actor:
        return cls(role=str(_need(d, "role", "actor")), text=str(d.get("text") or ""), title=d.get("title"),
                   entity_id=d.get("entity_id"), country=d.get("country"),
                   extra={k: v for k, v in d.items() if k not in _ACTOR_KEYS})


_DATE_KEYS = frozenset({"start", "end", "text", "resolved"})


@dataclass(slots=True)
class EventDate:
    """When an event happened: ISO dates (``end`` = ``start`` for one day), ``None`` when unresolved."""

    start: str | None = None
    end: str | None = None
    text: str | None = None
    resolved: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "resolved": self.resolved, **self.extra}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> EventDate:
        d = d or {}
        return cls(start=d.get("start"), end=d.get("end"), text=d.get("text"), resolved=bool(d.get("resolved")),
                   extra={k: v for k, v in d.items() if k not in _DATE_KEYS})


_EVENT_KEYS = frozenset({"id", "type", "trigger", "confidence", "actors", "date", "place", "attributes", "evidence",
                         "summary"})


@dataclass(slots=True)
class Event:
    """A typed event found in one text (a launch, a deal, an official visit, a sanction, ...)."""

    id: str
    type: str
    confidence: float = 0.0
    actors: list[Actor] = field(default_factory=list)
    date: EventDate = field(default_factory=EventDate)
    trigger: Span | None = None
    place: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    evidence: Span | None = None
    summary: str | None = None  # what happened and when, as a clause of link explanations
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "type": self.type, "trigger": self.trigger.to_dict() if self.trigger else None,
            "confidence": self.confidence, "actors": [a.to_dict() for a in self.actors], "date": self.date.to_dict(),
            "place": self.place, "attributes": dict(self.attributes),
            "evidence": self.evidence.to_dict() if self.evidence else None}
        if self.summary is not None:
            out["summary"] = self.summary
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        ident, etype = _need(d, "id", "event"), _need(d, "type", "event")
        try:
            confidence = float(d.get("confidence") or 0.0)
        except (TypeError, ValueError):
            raise ValueError(f"event {ident}: confidence: expected a number, got {d.get('confidence')!r}") from None
        summary = d.get("summary")
        return cls(id=str(ident), type=str(etype), confidence=confidence,
                   actors=[Actor.from_dict(a) for a in d.get("actors") or ()],
                   date=EventDate.from_dict(d.get("date")), trigger=_span_or_none(d.get("trigger")),
                   place=d.get("place"), attributes=dict(d.get("attributes") or {}),
                   evidence=_span_or_none(d.get("evidence")), summary=summary if isinstance(summary, str) else None,
                   extra={k: v for k, v in d.items() if k not in _EVENT_KEYS})


@dataclass(slots=True)
class LinkEnd:
    """One event of a stored link: the stored event's key (``doc_id:event id``), type and document, and the
    url, date and evidence the store reads back from that event (``None`` once it is gone)."""

    id: str
    type: str
    doc_id: str
    url: str | None = None
    date: EventDate | None = None
    evidence: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "doc_id": self.doc_id, "url": self.url,
                "date": self.date.to_dict() if self.date else None,
                "evidence": self.evidence.to_dict() if self.evidence else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LinkEnd:
        date = d.get("date")
        return cls(id=str(_need(d, "id", "link event")), type=str(d.get("type")),
                   doc_id=str(_need(d, "doc_id", "link event")), url=d.get("url"),
                   date=EventDate.from_dict(date) if isinstance(date, dict) and date else None,
                   evidence=_span_or_none(d.get("evidence")))


_LINK_KEYS = frozenset({"id", "type", "events", "gap_days", "entities", "score", "explanation", "rule",
                        "created_at"})


@dataclass(slots=True)
class Link:
    """Two events timed to each other (``newswatch links --json``): ``events`` earlier first; ``id`` is the
    same whenever the same pair of happenings is found under the same rule."""

    id: str
    rule: str
    events: tuple[LinkEnd, LinkEnd]
    score: float
    gap_days: float | None = None
    entities: list[str] = field(default_factory=list)
    explanation: str = ""
    type: str = "co_timed"
    created_at: str | None = None  # set when it is first stored
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "events": [e.to_dict() for e in self.events],
                               "gap_days": self.gap_days, "entities": list(self.entities), "score": self.score,
                               "explanation": self.explanation, "rule": self.rule}
        if self.created_at is not None:
            out["created_at"] = self.created_at
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Link:
        ident = str(_need(d, "id", "link"))
        ends = d.get("events")
        if not isinstance(ends, list) or len(ends) != 2:
            raise ValueError(f"link {ident}: events: expected two events, got {ends!r}")
        gap = d.get("gap_days")
        return cls(id=ident, rule=str(d.get("rule") or ""),
                   events=(LinkEnd.from_dict(ends[0]), LinkEnd.from_dict(ends[1])),
                   score=float(_need(d, "score", f"link {ident}")), gap_days=None if gap is None else float(gap),
                   entities=[str(e) for e in d.get("entities") or ()], explanation=str(d.get("explanation") or ""),
                   type=str(d.get("type") or "co_timed"), created_at=d.get("created_at"),
                   extra={k: v for k, v in d.items() if k not in _LINK_KEYS})


@dataclass
class Product:
    """Offer facts of an e-commerce listing; ``price`` is a decimal string ("1299.00")."""

    name: str | None = None
    price: str | None = None
    currency: str | None = None
    availability: str | None = None
    sku: str | None = None
    brand: str | None = None
    seller: str | None = None
    image_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Product:
        return cls(**{f.name: d.get(f.name) for f in fields(cls)})


@dataclass
class Annotations:
    """What the NLP stage found. Events and links are plain dicts in the contract's shape."""

    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    stance: list[Stance] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    tone: float | None = None
    warnings: list[str] = field(default_factory=list)
    story_id: str | None = None  # the story (near-duplicate cluster) the document belongs to, set at ingest

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "stance": [s.to_dict() for s in self.stance],
            "events": list(self.events),
            "links": list(self.links),
            "tone": self.tone,
            "warnings": list(self.warnings),
            "story_id": self.story_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Annotations:
        return cls(
            entities=[Entity.from_dict(e) for e in d.get("entities", [])],
            quotes=[Quote.from_dict(q) for q in d.get("quotes", [])],
            stance=[Stance.from_dict(s) for s in d.get("stance", [])],
            events=list(d.get("events", [])),
            links=list(d.get("links", [])),
            tone=d.get("tone"),
            warnings=list(d.get("warnings", [])),
            story_id=d.get("story_id"),
        )


@dataclass
class Provenance:
    """Where a record came from and which code made it, so results can be reproduced."""

    fetched_at: str | None = None
    extractor: str | None = None
    extractor_version: str | None = None
    models: dict[str, str] = field(default_factory=dict)
    # What the source said about the item besides its text (a post's reply/boost counts, its links);
    # kept out of the content hash, so changing counts alone make no new version.
    source_meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        return cls(
            fetched_at=d.get("fetched_at"),
            extractor=d.get("extractor"),
            extractor_version=d.get("extractor_version"),
            models=dict(d.get("models") or {}),
            source_meta=dict(d.get("source_meta") or {}),
        )


@dataclass
class Document:
    """One stored thing: an article, a product listing, a social post or a feed item."""

    url: str
    text: str
    kind: str = "article"
    source: str = ""
    title: str | None = None
    author: str | None = None
    published_at: str | None = None
    fetched_at: str | None = None
    lang: str | None = None
    canonical_url: str | None = None
    product: Product | None = None
    annotations: Annotations = field(default_factory=Annotations)
    provenance: Provenance = field(default_factory=Provenance)
    id: str = ""
    content_hash: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {self.kind!r}")
        if not self.canonical_url:
            self.canonical_url = self.url
        if not self.id:
            self.id = document_id(self.canonical_url)
        if not self.content_hash:
            self.content_hash = content_hash(self.title, self.text, self.product)
        if not self.fetched_at:
            self.fetched_at = utc_now_iso()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "source": self.source,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "published_at": self.published_at,
            "fetched_at": self.fetched_at,
            "lang": self.lang,
            "content_hash": self.content_hash,
            "version": self.version,
            "product": self.product.to_dict() if self.product else None,
            "annotations": self.annotations.to_dict(),
            "provenance": self.provenance.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        product = d.get("product")
        return cls(
            url=d["url"],
            text=d["text"],
            kind=d.get("kind") or "article",
            source=d.get("source") or "",
            title=d.get("title"),
            author=d.get("author"),
            published_at=d.get("published_at"),
            fetched_at=d.get("fetched_at"),
            lang=d.get("lang"),
            canonical_url=d.get("canonical_url"),
            product=Product.from_dict(product) if product else None,
            annotations=Annotations.from_dict(d.get("annotations") or {}),
            provenance=Provenance.from_dict(d.get("provenance") or {}),
            id=d.get("id") or "",
            content_hash=d.get("content_hash") or "",
            version=int(d.get("version") or 1),
        )


WATCH_TYPES: tuple[str, ...] = ("person", "org", "agency", "product", "place")


@dataclass
class Alias:
    text: str
    lang: str | None = None


@dataclass
class WatchEntry:
    """One watched entity: a company, person, agency, product or place, with aliases in any script."""

    id: str
    name: str
    type: str
    aliases: list[Alias] = field(default_factory=list)
    country: str | None = None
    role: str | None = None
    watchlist: str = ""

    def all_names(self) -> list[str]:
        """The name and every alias, de-duplicated, longest first (for greedy matching)."""
        names = {self.name, *(a.text for a in self.aliases)}
        return sorted((n for n in names if n.strip()), key=len, reverse=True)


@dataclass
class FetchRecord:
    """The last good fetch of one URL: what a conditional GET needs and what the body hashed to.

    Crawlers make it from a response; the store keeps it (``crawl_fetches``).
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    fetched_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
