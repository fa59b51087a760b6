"""A small store for the web tests, written for them: a visit and a launch during it (two articles of one
story, a link between the events), a product listing in two versions, and an article whose every field
carries script payloads that must show as text and never run."""

from __future__ import annotations

from typing import Any

from pipeline.config import Config
from pipeline.wiring import make_store
from storage.events_store import event_key, link_id
from storage.models import (
    Actor,
    Annotations,
    Document,
    Entity,
    Event,
    EventDate,
    Link,
    LinkEnd,
    Product,
    Quote,
    Span,
    Speaker,
    Stance,
)

# Each payload sets window.__pwned or opens a dialog if it ever runs.
XSS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1;alert(1)">',
       '"><svg onload=alert(1)>', "';alert(1);//", '<a href="javascript:alert(1)">click</a>']
XSS_TEXT = " ".join(XSS)

VISIT_TEXT = ("Trade Minister Helena Duarte arrived in Shenzhen on Monday for a three-day official visit.\n"
              "One day later Veltrix Mobile unveiled the Nova 7 phone at its campus, with the minister in the "
              "front row.\n"
              "“We welcome this partnership and the jobs it brings,” said Duarte after the launch.\n"
              "Analysts expect the phone to sell well in Europe.")
CRITIC_TEXT = ("Veltrix Mobile launched the Nova 7 while Helena Duarte toured Shenzhen.\n"
               "“The timing of this launch is a public-relations stunt,” said Marta Quell, a consumer advocate.\n"
               "Veltrix declined to comment on the visit.")


def _span(text: str, part: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Span(part, start, start + len(part))


def _ent(text: str, part: str, label: str, eid: str | None = None, canonical: str = "", nth: int = 0) -> Entity:
    s = _span(text, part, nth)
    return Entity(part, s.start, s.end, label, eid, canonical or part)


def visit_article() -> Document:
    t = VISIT_TEXT
    quote = _span(t, "We welcome this partnership and the jobs it brings")
    favor = Stance("Veltrix Mobile", "favor", 0.83, "Helena Duarte", quote, "veltrix")
    events: list[dict[str, Any]] = [
        Event(id="e1", type="official_visit", confidence=0.9,
              actors=[Actor("visitor", "Helena Duarte", "Trade Minister", "helena-duarte")],
              date=EventDate("2026-03-09", "2026-03-11", "on Monday", True), trigger=_span(t, "official visit"),
              place="Shenzhen", evidence=_span(t, t.split("\n")[0]),
              summary="Helena Duarte visits Shenzhen, Mar 9-11").to_dict(),
        Event(id="e2", type="product_launch", confidence=0.88,
              actors=[Actor("company", "Veltrix Mobile", None, "veltrix"), Actor("product", "Nova 7", None, "nova-7")],
              date=EventDate("2026-03-10", "2026-03-10", "One day later", True), trigger=_span(t, "unveiled"),
              place="Shenzhen", evidence=_span(t, t.split("\n")[1]),
              summary="Veltrix Mobile launches the Nova 7, Mar 10").to_dict(),
    ]
    ann = Annotations(
        entities=[_ent(t, "Trade Minister", "TITLE"), _ent(t, "Helena Duarte", "PERSON", "helena-duarte"),
                  _ent(t, "Shenzhen", "GPE"), _ent(t, "Monday", "DATE"), _ent(t, "three-day", "DATE"),
                  _ent(t, "One", "CARDINAL"), _ent(t, "Veltrix Mobile", "ORG", "veltrix"),
                  _ent(t, "Nova 7", "PRODUCT", "nova-7"),
                  _ent(t, "Duarte", "PERSON", "helena-duarte", "Helena Duarte", nth=1),
                  _ent(t, "Europe", "LOC")],
        quotes=[Quote(quote.text, quote.start, quote.end, Speaker("Helena Duarte", "helena-duarte",
                                                                  "Ministry of Trade"), [favor])],
        stance=[Stance("Veltrix Mobile", "neutral", 0.71, "author", _span(t, t.split("\n")[3]), "veltrix")],
        events=events, tone=0.2, story_id="story-visit")
    return Document(url="https://ledger.example/duarte-visit", source="harbor-ledger", kind="article",
                    title="Minister Duarte visits Shenzhen as Veltrix launches the Nova 7", text=t,
                    author="Lin Ode", published_at="2026-03-10", lang="en", annotations=ann)


def critic_article() -> Document:
    t = CRITIC_TEXT
    quote = _span(t, "The timing of this launch is a public-relations stunt")
    against = Stance("Veltrix Mobile", "against", 0.77, "Marta Quell", quote, "veltrix")
    ann = Annotations(
        entities=[_ent(t, "Veltrix Mobile", "ORG", "veltrix"), _ent(t, "Nova 7", "PRODUCT", "nova-7"),
                  _ent(t, "Helena Duarte", "PERSON", "helena-duarte"), _ent(t, "Shenzhen", "GPE"),
                  _ent(t, "Marta Quell", "PERSON")],
        quotes=[Quote(quote.text, quote.start, quote.end, Speaker("Marta Quell", None, "consumer advocate"),
                      [against])],
        stance=[Stance("Veltrix Mobile", "against", 0.64, "author", _span(t, t.split("\n")[0]), "veltrix")],
        tone=-0.3, story_id="story-visit")
    return Document(url="https://pacific.example/nova-stunt", source="pacific-tech", kind="article",
                    title="Nova 7 launch timed to the minister's tour", text=t, published_at="2026-03-11",
                    lang="en", annotations=ann)


def hostile_article() -> Document:
    t = f"Veltrix Mobile fans posted this: {XSS_TEXT}\nThe Nova 7 case is sold out."
    payload = _span(t, XSS[1])
    ann = Annotations(
        entities=[_ent(t, "Veltrix Mobile", "ORG", "veltrix", canonical=XSS[2]), Entity(XSS[0], payload.start,
                                                                                      payload.end, "PERSON")],
        quotes=[Quote(payload.text, payload.start, payload.end, Speaker(XSS[1], None, XSS[2]),
                      [Stance(XSS[0], "against", 0.6, XSS[1], payload, None)])],
        stance=[Stance("Veltrix Mobile", "against", 0.55, "author", payload, "veltrix")],
        events=[Event(id="x1", type="merchandise", confidence=0.5, actors=[Actor("seller", XSS[1], None, "veltrix")],
                      date=EventDate("2026-03-10", "2026-03-10", XSS[0], True), evidence=payload,
                      summary=f"merchandise {XSS[1]}").to_dict()])
    return Document(url="https://fedi.example/@fan/1", source=f"fediverse {XSS[3]}", kind="post",
                    title=f"Fans react {XSS[0]}{XSS[1]}", text=t, author=XSS[2], published_at="2026-03-10",
                    lang="en", annotations=ann)


def product_versions() -> list[Document]:
    base = dict(url="https://bazaar.example/nova-7-case", source="bazaarhub", kind="product",
                title="Nova 7 leather case", published_at="2026-03-08", lang="en")
    v1 = Document(**base, text="Leather case for the Veltrix Nova 7. Ships in two days. Colour: brown.",
                  product=Product(name="Nova 7 leather case", price="19.99", currency="EUR", availability="InStock",
                                  seller="CaseCo"))
    v2 = Document(**base, text="Leather case for the Veltrix Nova 7. Ships in two weeks. Colour: brown or black.",
                  product=Product(name="Nova 7 leather case", price="24.99", currency="EUR",
                                  availability="OutOfStock", seller="CaseCo"))
    return [v1, v2]


def fill(config: Config, extra_articles: int = 0) -> dict[str, str]:
    """Store the fixture documents, events, link, story and source health; returns their ids by name."""
    store = make_store(config)
    try:
        visit, critic, hostile = visit_article(), critic_article(), hostile_article()
        v1, v2 = product_versions()
        for doc in (visit, critic, hostile, v1, v2):
            store.upsert(doc)
        for i in range(extra_articles):
            store.upsert(Document(url=f"https://wire.example/brief-{i}", source="wire", title=f"Brief {i} on Nova",
                                  text=f"Short brief number {i} about the Nova 7 and its sales.",
                                  published_at=f"2026-02-{1 + i % 28:02d}"))
        es = store.events
        for doc in (visit, hostile):
            es.put_events(doc.id, [Event.from_dict(e) for e in doc.annotations.events], url=doc.url,
                          source=doc.source, kind=doc.kind, published_at=doc.published_at)
        a, b = event_key(visit.id, "e1"), event_key(visit.id, "e2")
        es.add_links([Link(id=link_id("launch_during_visit", [a, b]), rule="launch_during_visit",
                           events=(LinkEnd(a, "official_visit", visit.id), LinkEnd(b, "product_launch", visit.id)),
                           score=0.81, gap_days=1.0, entities=["helena-duarte", "veltrix"],
                           explanation="Veltrix Mobile launched the Nova 7 on Mar 10, during Helena Duarte's visit to "
                                       "Shenzhen (Mar 9-11)", created_at="2026-03-11T08:00:00Z")])
        x = event_key(hostile.id, "x1")
        es.add_links([Link(id=link_id("merch", [a, x]), rule="merch",
                           events=(LinkEnd(a, "official_visit", visit.id), LinkEnd(x, "merchandise", hostile.id)),
                           score=0.4, gap_days=1.0, entities=["veltrix"], explanation=f"merch {XSS[1]}",
                           created_at="2026-03-11T09:00:00Z")])
        es.put_story_member(visit.id, "story-visit", visit.source, "2026-03-10T08:00:00Z", None)
        es.put_story_member(critic.id, "story-visit", critic.source, "2026-03-11T08:00:00Z", None)
        for source, pages in (("harbor-ledger", 40), ("pacific-tech", 12), ("bazaarhub", 88), (hostile.source, 3)):
            store.crawl.source_event(source, pages_fetched=pages, items_stored=1, success_at="2026-03-11T10:00:00Z",
                               delay_s=1.5)
        return {"visit": visit.id, "critic": critic.id, "hostile": hostile.id, "product": v1.id}
    finally:
        store.close()
