"""The query language gives the same documents on every backend (issue 20).

One invented corpus, one table of queries with the documents each must find; the suite runs on
SQLite and on the real PostgreSQL server, so the two translations cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from contract_docs import FILLER

from storage.base import Store
from storage.models import Annotations, Document, Entity, Event, Product, Span, Stance
from storage.query import QuerySyntaxError

NOW = datetime(2026, 9, 10, 12, 0, tzinfo=UTC)


def _stance(target: str, label: str, entity_id: str | None) -> Stance:
    return Stance(target=target, label=label, score=0.9, holder="author", evidence=Span("x", 0, 1), entity_id=entity_id)


QUASAR = Entity("Quasar", 0, 6, "ORG", "org:quasar", "Quasar")
AGAINST_QUASAR = _stance("Quasar", "against", "org:quasar")


CORPUS = {
    "a": Document(url="https://wire.test/a", source="wire", kind="article", lang="en", published_at="2026-09-02",
                  title="Minister visits plant",
                  text="Trade Minister Helena Duarte visited the Quasar plant on Monday; the minister praised exports.",
                  annotations=Annotations(entities=[QUASAR], stance=[AGAINST_QUASAR])),
    "b": Document(url="https://blog.test/b", source="blog", kind="post", lang="en",
                  published_at="2026-09-05T10:00:00Z", title="Launch day",
                  text="Quasar launched a new phone. Analysts expect strong sales in the second quarter.",
                  annotations=Annotations(entities=[QUASAR], stance=[_stance("Quasar", "favor", "org:quasar")])),
    "c": Document(url="https://cn.test/c", source="cnwire", kind="article", lang="zh", published_at="2026-09-08",
                  text="海伦娜·杜阿尔特部长访问了维创工厂。"),
    "d": Document(url="https://wire.test/d", source="wire", kind="article", lang="en", published_at="2026-08-20",
                  title="Tariffs", text="Steel tariffs rose sharply; the steel ministry blamed rivals.",
                  annotations=Annotations(stance=[_stance("Acme", "against", None)])),
    "e": Document(url="https://shop.test/e", source="shop", kind="product", text="In stock now, ships today.",
                  product=Product(name="Quasar Phone X", seller="Gadgetly", price="399.00", currency="EUR")),
    "f": Document(url="https://feeds.test/f", source="feeds", kind="feed_item", lang="en", published_at="2026-09-09",
                  text="Minister to visit the harbour next week."),
}


@pytest.fixture
def corpus(store: Store) -> Store:  # noqa: F811 - pytest fixture chaining
    store.upsert_many([*FILLER, *CORPUS.values()])  # type: ignore[attr-defined]
    ev = store.events.put_events  # type: ignore[attr-defined]
    ev(CORPUS["a"].id, [Event(id="e1", type="official_visit", confidence=0.9)])
    ev(CORPUS["b"].id, [Event(id="e1", type="product_launch", confidence=0.9)])
    for key in ("a", "c"):
        store.events.put_story_member(CORPUS[key].id, "story-duarte", CORPUS[key].source,  # type: ignore[attr-defined]
                                      "2026-09-08T00:00:00Z", None)
    return store


def found(searched: Store, query: str, **kw: object) -> set[str]:
    by_id = {d.id: k for k, d in CORPUS.items()}
    result = searched.search(query, limit=100, now=NOW, **kw)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {by_id.get(h.id, "filler") for h in result.hits}


CASES = [
    ("minister", {"a", "f"}),
    ("Minist*", {"a", "d", "f"}),
    ('"trade minister"', {"a"}),
    ("quasar AND phone", {"b", "e"}),
    ("quasar phone", {"b", "e"}),
    ("quasar -phone", {"a"}),
    ("quasar NOT phone", {"a"}),
    ("(steel OR harbour) minister", {"f"}),
    ("steel OR harbour minister", {"f"}),  # OR binds tighter than AND, as in web search
    ("minister OR steel", {"a", "d", "f"}),
    ("minister NEAR/0 praised", {"a"}),
    ("visited NEAR/1 plant", set()),
    ("visited NEAR/2 plant", {"a"}),
    ("plant NEAR/2 visited", {"a"}),
    ("plant NEAR/5 trade", set()),  # the title's last word and the text's first: different fields
    ('"trade minister" NEAR/3 duarte', {"a"}),
    ("海伦娜·杜阿尔特", {"c"}),
    ("杜阿尔特", {"c"}),
    ("海伦娜·杜阿尔特 部长", {"c"}),
    ("source:wire", {"a", "d"}),
    ("source:wire,blog", {"a", "b", "d"}),
    ("kind:post", {"b"}),
    ("kind:feed_item", {"f"}),
    ("kind:product quasar", {"e"}),
    ("lang:zh", {"c"}),
    ("entity:org:quasar", {"a", "b"}),
    ("entity:quasar", {"a", "b"}),
    ('entity:"Quasar"', {"a", "b"}),
    ("stance:against:org:quasar", {"a"}),
    ("stance:against:acme", {"d"}),
    ("stance:against", {"a", "d"}),
    ("stance:favor:quasar", {"b"}),
    ("event:official_visit", {"a"}),
    ("event:product_launch OR event:official_visit", {"a", "b"}),
    ("story:story-duarte", {"a", "c"}),
    ("published:>=2026-09-05", {"b", "c", "f"}),
    ("published:2026-09-01..2026-09-05", {"a", "b"}),
    ("published:<2026-09-02", {"d"}),
    ("published:<=2026-09-02", {"a", "d"}),
    ("published:>2026-09-05", {"c", "f"}),
    ("published:2026-09", {"a", "b", "c", "f"}),
    ("published:2026-09-05", {"b"}),
    ("published:7d", {"b", "c", "f"}),
    ("published:..2026-08-31", {"d"}),
    ("minister source:feeds", {"f"}),
    ("minister OR source:shop", {"a", "e", "f"}),
    ("-kind:article minister", {"f"}),
    ("quasar -source:shop", {"a", "b"}),
    ("(quasar OR steel) -(kind:product OR lang:zh)", {"a", "b", "d"}),
    ("quasar (source:blog OR stance:against)", {"a", "b"}),
    ("(minister -source:wire) OR (steel source:wire)", {"d", "f"}),
    ("gadgetly", {"e"}),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
def test_query_finds_the_same_documents_on_every_backend(corpus: Store, query: str, expected: set[str]) -> None:
    assert found(corpus, query) == expected


def test_query_filters_and_flag_filters_combine(corpus: Store) -> None:
    assert found(corpus, "minister", filters={"source": "wire"}) == {"a"}
    assert found(corpus, "source:wire", filters={"since": "2026-09-01"}) == {"a"}


def test_sort_by_date_newest_or_oldest_first(corpus: Store) -> None:
    by_id = {d.id: k for k, d in CORPUS.items()}
    newest = corpus.search("minist*", sort="date")
    oldest = corpus.search("minist*", sort="oldest")
    assert [by_id[h.id] for h in newest.hits] == ["f", "a", "d"]
    assert [by_id[h.id] for h in oldest.hits] == ["d", "a", "f"]


def test_collapse_keeps_one_hit_per_story_with_its_size(corpus: Store) -> None:
    result = corpus.search("minister OR 海伦娜·杜阿尔特", collapse=True, sort="date")
    by_id = {d.id: k for k, d in CORPUS.items()}
    assert result.total == 2 and result.collapsed
    assert [(by_id[h.id], h.story_size, h.story_hits) for h in result.hits] == [("f", 1, 1), ("c", 2, 2)]
    assert result.hits[1].to_dict()["story_id"] == "story-duarte"
    assert "story_size" not in corpus.search("minister").hits[0].to_dict()  # fields added only when collapsing


def test_facets_count_every_match(corpus: Store) -> None:
    result = corpus.search("quasar OR steel", facets=["source", "kind", "entity_id", "event", "stance", "day"],
                           limit=1)
    assert result.total == 4
    assert result.facets["source"] == {"wire": 2, "blog": 1, "shop": 1}
    assert result.facets["kind"] == {"article": 2, "post": 1, "product": 1}
    assert result.facets["entity_id"] == {"org:quasar": 2}
    assert result.facets["event"] == {"official_visit": 1, "product_launch": 1}
    assert result.facets["stance"] == {"against:Acme": 1, "against:org:quasar": 1, "favor:org:quasar": 1}
    assert result.facets["day"] == {"2026-08-20": 1, "2026-09-02": 1, "2026-09-05": 1}


def test_middle_dot_name_is_highlighted_whole(corpus: Store) -> None:
    hit = corpus.search("海伦娜·杜阿尔特").hits[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["海伦娜·杜阿尔特"]


def test_near_highlights_both_words(corpus: Store) -> None:
    hit = corpus.search("minister NEAR/0 praised").hits[0]
    assert {hit.snippet[s:e].lower() for s, e in hit.highlights} >= {"minister", "praised"}


@pytest.mark.parametrize(("query", "position"), [('minister "trade', 9), ("(minister", 0), ("minister)", 8),
                                                  ("title:x", 0), ("kind:video", 0), ("a NEAR/x b", 7)])
def test_malformed_query_is_a_positioned_error_on_every_backend(corpus: Store, query: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        corpus.search(query)
    assert err.value.position == position
    assert f"at {position + 1}" in str(err.value)
