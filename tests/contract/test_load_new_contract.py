"""``load_new``: the bulk path into an empty store stores what ``upsert_many`` would, indexes included."""

from __future__ import annotations

import pytest

from storage.base import Store, StoreError
from storage.models import Annotations, Document, Entity


def _docs() -> list[Document]:
    return [Document(url=f"https://wire.test/{i}", source="wire" if i % 2 else "blog", title=f"Orrin plant {i}",
                     text=f"Orrin Tools opened plant {i} in Tarvo. 维创移动 news {i}.",
                     published_at=f"2026-03-0{i + 1}",
                     annotations=Annotations(entities=[Entity("Orrin Tools", 0, 11, "ORG", "orrin", "Orrin Tools")]))
            for i in range(5)]


def test_load_new_fills_documents_search_mentions_and_versions(store: Store) -> None:
    assert store.load_new(_docs(), batch=2) == 5
    assert store.count() == 5 and store.count({"entity_id": "orrin"}) == 5
    result = store.search("Tarvo", facets=["source"])
    assert result.total == 5 and result.facets["source"] == {"blog": 3, "wire": 2}
    assert store.search("维创").total == 5 and store.search('"plant 3"').total == 1
    doc = store.get_by_url("https://wire.test/3")
    assert doc is not None and doc.version == 1 and [v.version for v in store.versions(doc.id)] == [1]
    assert [d.url for d in store.iter_since(None)] == [d.url for d in _docs()]
    changed = Document(url="https://wire.test/3", source="wire", text="Orrin Tools closed it.")
    assert store.upsert(changed).status == "updated" and store.search("closed").total == 1  # upserts go on after
    assert [d.url for d in store.iter_since(None)][-1] == "https://wire.test/3"  # sequence numbers went on too
    with pytest.raises(StoreError):
        store.load_new(_docs())
