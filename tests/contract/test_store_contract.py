"""One behaviour suite for every Store backend: what holds for SQLite must hold for PostgreSQL.

Texts are invented for these tests. PostgreSQL runs against the real server on this machine,
each test in a fresh random schema that is dropped afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from contract_docs import FILLER, doc

from storage.base import Store, StoreError
from storage.models import Annotations, Document, Entity, Product
from storage.query.sql import RANK_CANDIDATES
from storage.text_search import fold


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


# ---------------------------------------------------------------- upsert and versions


def test_first_upsert_is_new_with_version_1(store: Store) -> None:
    r = store.upsert(doc("https://a.test/1", "The port reopened on Monday."))
    assert (r.status, r.version) == ("new", 1)


def test_same_content_again_is_unchanged_and_keeps_version(store: Store) -> None:
    store.upsert(doc("https://a.test/1", "The port reopened on Monday."))
    r = store.upsert(doc("https://a.test/1", "The port reopened on Monday."))
    assert (r.status, r.version) == ("unchanged", 1)
    assert len(store.versions(r.id)) == 1


def test_changed_text_is_updated_and_every_version_kept(store: Store) -> None:
    store.upsert(doc("https://a.test/1", "The port reopened on Monday."))
    r = store.upsert(doc("https://a.test/1", "The port reopened on Tuesday."))
    assert (r.status, r.version) == ("updated", 2)
    current = store.get(r.id)
    assert current is not None and current.version == 2 and "Tuesday" in current.text
    assert [(v.version, "Monday" in v.text) for v in store.versions(r.id)] == [(1, True), (2, False)]


def test_add_is_upsert(store: Store) -> None:
    assert store.add(doc("https://a.test/1", "x y z")).status == "new"
    assert store.add(doc("https://a.test/1", "x y z")).status == "unchanged"


def test_get_returns_every_stored_field(store: Store) -> None:
    d = doc(
        "https://shop.test/p/9",
        "A compact camera with a fast lens.",
        kind="product",
        source="shop",
        title="Camera Z9",
        author="Desk",
        published_at="2026-03-04",
        lang="en",
        product=Product(name="Camera Z9", price="1299.00", currency="EUR", seller="Lensland"),
        annotations=Annotations(entities=[Entity("Lensland", 0, 8, "ORG", "org:lensland", "Lensland")], tone=0.2),
    )
    store.upsert(d)
    got = store.get(d.id)
    assert got is not None
    assert got.to_dict() == d.to_dict()


def test_get_by_url_finds_canonical_and_fetched_url(store: Store) -> None:
    d = doc("https://m.a.test/story?utm=x", "Story text.", canonical_url="https://a.test/story")
    store.upsert(d)
    for url in ("https://a.test/story", "https://m.a.test/story?utm=x"):
        got = store.get_by_url(url)
        assert got is not None and got.id == d.id


def test_missing_document_is_none(store: Store) -> None:
    assert store.get("nope") is None
    assert store.get_by_url("https://nowhere.test/") is None


def test_pages_with_one_canonical_url_are_one_document(store: Store) -> None:
    a = store.upsert(doc("https://m.a.test/s", "Same story.", canonical_url="https://a.test/s"))
    b = store.upsert(doc("https://www.a.test/s", "Same story.", canonical_url="https://a.test/s"))
    assert a.id == b.id and b.status == "unchanged"
    assert store.count() == 1


def test_upsert_many_reports_each_document(store: Store) -> None:
    store.upsert(doc("https://a.test/1", "one"))
    results = store.upsert_many([doc("https://a.test/1", "one"), doc("https://a.test/2", "two")])  # type: ignore[attr-defined]
    assert [r.status for r in results] == ["unchanged", "new"]


# ---------------------------------------------------------------- search


def test_search_ranks_stronger_matches_higher(store: Store) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [
            *FILLER,
            doc("https://n.test/weak", "Markets were calm. Analysts briefly noted a tariff among many topics " * 3),
            doc("https://n.test/strong", "Tariff talks: the tariff on steel, the tariff on tin.", title="Tariff"),
        ]
    )
    result = store.search("tariff")
    assert [h.url for h in result.hits] == ["https://n.test/strong", "https://n.test/weak"]
    assert result.hits[0].score > result.hits[1].score


def test_quoted_phrase_needs_adjacent_words(store: Store) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [
            *FILLER,
            doc("https://n.test/a", "The trade minister arrived in Lyon."),
            doc("https://n.test/b", "The minister of trade arrived in Lyon."),
        ]
    )
    assert [h.url for h in store.search('"trade minister"').hits] == ["https://n.test/a"]
    assert store.search("trade minister").total == 2


def test_or_matches_either_word(store: Store) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [*FILLER, doc("https://n.test/a", "Copper prices rose."), doc("https://n.test/b", "Nickel prices fell.")]
    )
    assert store.search("copper OR nickel").total == 2
    assert store.search("copper nickel").total == 0


def test_minus_excludes_documents(store: Store) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [*FILLER, doc("https://n.test/a", "Copper prices rose."), doc("https://n.test/b", "Copper and nickel fell.")]
    )
    assert [h.url for h in store.search("copper -nickel").hits] == ["https://n.test/a"]


@pytest.mark.parametrize(
    "query", ['foo"', "AND (", '"', "-", "OR", "((", "NEAR(a b)", "title:x", "^x", 'a "b', "-nickel", "a OR", "*x*"]
)
def test_bad_query_syntax_gives_results_or_a_clean_error(store: Store, query: str) -> None:
    store.upsert_many([*FILLER, doc("https://n.test/a", "foo a b x nickel")])  # type: ignore[attr-defined]
    try:
        result = store.search(query)
    except StoreError as e:
        assert query in str(e)
    else:
        assert result.total >= 0


@pytest.mark.parametrize("name", ["维创", "索尼", "移动"])
def test_cjk_two_character_name_is_found_inside_a_longer_run(store: Store, name: str) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [
            *FILLER,
            doc("https://cn.test/1", "维创移动发布新手机，索尼公司也在同一天发布了新相机。", lang="zh"),
            doc("https://cn.test/2", "今天天气很好，市场平稳。", lang="zh"),
        ]
    )
    result = store.search(name)
    assert [h.url for h in result.hits] == ["https://cn.test/1"]
    snippet, highlights = result.hits[0].snippet, result.hits[0].highlights
    assert [snippet[s:e] for s, e in highlights] == [name]


def test_cjk_query_must_appear_in_order_not_as_scattered_characters(store: Store) -> None:
    store.upsert_many([*FILLER, doc("https://cn.test/1", "创新的维护方案。")])  # type: ignore[attr-defined]
    assert store.search("维创").total == 0


def test_single_cjk_character_query_matches(store: Store) -> None:
    store.upsert_many([*FILLER, doc("https://cn.test/1", "索尼发布新相机")])  # type: ignore[attr-defined]
    assert store.search("机").total == 1


def test_cjk_mixed_with_latin_words(store: Store) -> None:
    store.upsert_many([*FILLER, doc("https://cn.test/1", "新款iPhone维创版本今日上市")])  # type: ignore[attr-defined]
    assert store.search("iphone 维创").total == 1


@pytest.mark.parametrize("query", ["elysee", "Élysée", "ÉLYSÉE"])
def test_french_diacritics_fold(store: Store, query: str) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [*FILLER, doc("https://fr.test/1", "Le président a reçu les ministres à l'Élysée.", lang="fr")]
    )
    result = store.search(query)
    assert result.total == 1
    hit = result.hits[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Élysée"]


def test_product_name_and_seller_are_searchable(store: Store) -> None:
    p = Product(name="Quasar Blender 3000", seller="Kitchenly", price="79.00", currency="USD")
    store.upsert_many(  # type: ignore[attr-defined]
        [*FILLER, doc("https://shop.test/1", "In stock now.", kind="product", product=p)]
    )
    assert store.search("quasar").total == 1
    assert store.search("kitchenly").total == 1


def _filtered_corpus() -> list[Document]:
    return [
        *FILLER,
        doc("https://a.test/1", "Steel exports grew.", source="a", lang="en", published_at="2026-01-05"),
        doc("https://a.test/2", "Steel imports fell.", source="a", lang="en", published_at="2026-02-10T08:00:00Z"),
        doc("https://b.test/1", "Exportations d'acier: steel.", source="b", lang="fr", published_at="2026-03-01"),
        doc(
            "https://b.test/2",
            "Steel listing.",
            source="b",
            kind="product",
            published_at="2026-03-02",
            annotations=Annotations(entities=[Entity("Acme Steel", 0, 5, "ORG", "org:acme", "Acme Steel")]),
        ),
        doc(
            "https://c.test/1",
            "Acme said steel demand holds.",
            source="c",
            lang="en",
            published_at="2026-03-03",
            annotations=Annotations(entities=[Entity("Acme", 0, 4, "ORG", "org:acme", "Acme Steel")]),
        ),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"source": "a"}, {"https://a.test/1", "https://a.test/2"}),
        ({"kind": "product"}, {"https://b.test/2"}),
        ({"lang": "fr"}, {"https://b.test/1"}),
        ({"entity_id": "org:acme"}, {"https://b.test/2", "https://c.test/1"}),
        ({"since": "2026-02-10", "until": "2026-03-01"}, {"https://a.test/2", "https://b.test/1"}),
        ({"until": "2026-02-10"}, {"https://a.test/1", "https://a.test/2"}),
        ({"source": ["a", "c"], "lang": "en", "since": "2026-02-01"}, {"https://a.test/2", "https://c.test/1"}),
    ],
)
def test_filters_restrict_search(store: Store, filters: dict, expected: set[str]) -> None:
    store.upsert_many(_filtered_corpus())  # type: ignore[attr-defined]
    result = store.search("steel", filters=filters)
    assert {h.url for h in result.hits} == expected
    assert result.total == len(expected) == store.count(filters)


def test_facets_count_over_all_matches_not_just_the_page(store: Store) -> None:
    store.upsert_many(_filtered_corpus())  # type: ignore[attr-defined]
    result = store.search("steel", facets=["source", "kind", "lang", "entity_id"], limit=1)
    assert len(result.hits) == 1 and result.total == 5
    assert result.facets["source"] == {"a": 2, "b": 2, "c": 1}
    assert result.facets["kind"] == {"article": 4, "product": 1}
    assert result.facets["lang"] == {"en": 3, "fr": 1}
    assert result.facets["entity_id"] == {"org:acme": 2}


@pytest.mark.parametrize(("query", "filters"), [("steel", None), ("steel", {"source": "b"}), ("steel -imports", None),
                                                ("steel OR acier", None), ("zzznothing", None)])
def test_a_faceted_search_counts_the_same_matches_as_a_plain_one(store: Store, query: str,
                                                                   filters: dict | None) -> None:
    # facets may be read from a narrower table than the hits; the total and every facet must still count
    # exactly the documents the plain search finds
    store.upsert_many(_filtered_corpus())  # type: ignore[attr-defined]
    plain = store.search(query, filters=filters, limit=100)
    faceted = store.search(query, filters=filters, facets=["day", "source", "kind", "lang"], limit=0)
    assert faceted.total == plain.total == len(plain.hits)
    assert faceted.facets["source"] == dict(Counter(h.source for h in plain.hits))
    assert sum(faceted.facets["kind"].values()) == plain.total
    assert sum(faceted.facets["day"].values()) == sum(1 for h in plain.hits if h.published_at)
    assert set(faceted.facets["day"]) == {h.published_at[:10] for h in plain.hits if h.published_at}


def test_day_facet_counts_documents_per_publication_day(store: Store) -> None:
    store.upsert_many(_filtered_corpus())  # type: ignore[attr-defined]
    days = store.search("", facets=["day"], limit=1).facets["day"]
    assert sum(days.values()) == store.count() - _undated(store)
    assert all(len(day) == 10 and day[4] == "-" for day in days)


def _undated(store: Store) -> int:
    return sum(1 for d in store.iter_since(None) if not d.published_at)


def test_unknown_filter_or_facet_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="sorce"):
        store.search("x", filters={"sorce": "a"})
    with pytest.raises(StoreError, match="colour"):
        store.search("x", facets=["colour"])


def test_pagination_walks_all_matches_once(store: Store) -> None:
    store.upsert_many(  # type: ignore[attr-defined]
        [doc(f"https://p.test/{i}", f"Harbour news item {i} " + "harbour " * (i % 4)) for i in range(12)]
    )
    pages = [store.search("harbour", limit=5, offset=o) for o in (0, 5, 10)]
    seen = [h.id for p in pages for h in p.hits]
    assert all(p.total == 12 for p in pages)
    assert len(seen) == len(set(seen)) == 12


def test_relevance_ranks_the_newest_candidates_and_pages_still_walk_every_match(store: Store) -> None:
    # RANK_CANDIDATES: a word in more documents than that is ranked among its most recently added matches;
    # the older ones follow, newest first; the total and the facets count every match
    old = [doc(f"https://r.test/old/{i}", "Nickel " * 8, title="Nickel nickel", source="old") for i in range(5)]
    new = [doc(f"https://r.test/new/{i}", f"Item {i} on metals and nickel, among other things.", source="new")
           for i in range(RANK_CANDIDATES)]
    new[3] = doc("https://r.test/new/best", "Nickel nickel nickel.", title="Nickel", source="new")
    store.upsert_many([*old, *new])  # type: ignore[attr-defined]
    first = store.search("nickel", facets=["source"], limit=3)
    assert first.total == RANK_CANDIDATES + 5
    assert first.facets["source"] == {"new": RANK_CANDIDATES, "old": 5}
    assert first.hits[0].url == "https://r.test/new/best"
    assert all(h.source == "new" for h in first.hits)
    pages = [store.search("nickel", limit=400, offset=o) for o in range(0, RANK_CANDIDATES + 5, 400)]
    urls = [h.url for p in pages for h in p.hits]
    assert len(urls) == len(set(urls)) == RANK_CANDIDATES + 5
    assert urls[-5:] == [f"https://r.test/old/{i}" for i in (4, 3, 2, 1, 0)]


def test_empty_query_lists_filtered_documents_newest_first(store: Store) -> None:
    store.upsert_many(_filtered_corpus())  # type: ignore[attr-defined]
    for q in ("", "*"):
        result = store.search(q, filters={"source": ["a", "b"]})
        newest_first = ["2026-03-02", "2026-03-01", "2026-02-10T08:00:00Z", "2026-01-05"]
        assert [h.published_at for h in result.hits] == newest_first
        assert result.total == 4


def test_snippet_is_plain_text_and_highlights_point_at_query_terms(store: Store) -> None:
    text = (
        ("Background paragraph about nothing much. " * 20)
        + "The Harbour Authority raised fees. "
        + ("More unrelated filler text follows here. " * 20)
    )
    store.upsert_many([*FILLER, doc("https://s.test/1", text)])  # type: ignore[attr-defined]
    hit = store.search("harbour fees").hits[0]
    assert "<" not in hit.snippet and ">" not in hit.snippet
    assert len(hit.snippet) <= 220
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert [fold(m) for m in marked] == ["harbour", "fees"]
    assert hit.to_dict()["highlights"] == [list(h) for h in hit.highlights]


def test_excluded_terms_are_not_highlighted(store: Store) -> None:
    store.upsert_many([*FILLER, doc("https://s.test/1", "Copper rose while zinc slipped.")])  # type: ignore[attr-defined]
    hit = store.search("copper -nickel").hits[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Copper"]


# ---------------------------------------------------------------- iteration and counting


def test_iter_since_yields_oldest_first_and_an_update_moves_to_the_end(store: Store) -> None:
    store.upsert(doc("https://i.test/a", "first"))
    store.upsert(doc("https://i.test/b", "second"))
    store.upsert(doc("https://i.test/a", "first, corrected"))
    assert [d.url for d in store.iter_since()] == ["https://i.test/b", "https://i.test/a"]
    assert [d.url for d in store.iter_since("2000-01-01")] == ["https://i.test/b", "https://i.test/a"]


def test_iter_since_a_future_time_yields_nothing(store: Store) -> None:
    store.upsert(doc("https://i.test/a", "first"))
    assert list(store.iter_since("2999-01-01T00:00:00Z")) == []


def test_count_all_and_filtered(store: Store) -> None:
    store.upsert_many(_filtered_corpus())  # type: ignore[attr-defined]
    assert store.count() == len(FILLER) + 5
    assert store.count({"source": "b"}) == 2


# ---------------------------------------------------------------- small state


def test_mark_once_is_true_the_first_time_only(store: Store) -> None:
    assert not store.was_marked("alerts", "doc1:rule7")
    assert store.mark_once("alerts", "doc1:rule7") is True
    assert store.mark_once("alerts", "doc1:rule7") is False
    assert store.was_marked("alerts", "doc1:rule7")
    assert store.mark_once("crawl", "doc1:rule7") is True  # namespaces are separate


def test_iter_marks_lists_every_mark_in_key_order(store: Store) -> None:
    assert list(store.iter_marks()) == []
    keys = [("alerts", f"k{i:04d}", f"v{i}") for i in range(1203)] + [("Zeta", "a", ""), ("alerts", "Ä", "x")]
    for ns, key, value in keys:
        store.mark_once(ns, key, value)
    assert list(store.iter_marks()) == sorted(keys, key=lambda m: (m[0].encode(), m[1].encode()))


def test_quarantine_round_trip(store: Store) -> None:
    store.quarantine("https://bad.test/x", "bad", "extract_empty", "no main text")
    store.quarantine("https://bad.test/y", "bad", "too_large")
    got = store.quarantined()
    assert [(q["url"], q["reason"], q["detail"]) for q in got] == [
        ("https://bad.test/x", "extract_empty", "no main text"),
        ("https://bad.test/y", "too_large", ""),
    ]
    assert all(q["source"] == "bad" and q["at"].endswith("Z") for q in got)


def test_data_survives_close_and_reopen(opener: Callable[[], Store]) -> None:
    first = opener()
    d = doc("https://r.test/1", "Persistent 维创 text.", source="r")
    first.upsert(d)
    first.mark_once("ns", "k")
    first.close()
    again = opener()
    assert again.get(d.id) is not None
    assert again.search("维创").total == 1
    assert again.was_marked("ns", "k")
