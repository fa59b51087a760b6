"""A saved search with its alert on is an alert rule of the engine; muted or off, it is not."""

from __future__ import annotations

import pytest

from pipeline.alerts.saved_searches import SavedSearchError, SavedSearches
from pipeline.config import Config
from pipeline.wiring import make_alert_engine, make_store
from storage.models import Document


def test_saved_search_alert_fires_on_a_matching_document_until_muted(config: Config) -> None:
    saved = SavedSearches(config.scheduler.db_url)
    on = saved.create("harbour cranes", "harbour cranes", alert=True)
    saved.create("not alerting", "harbour")  # saved only, no alert
    store = make_store(config)
    try:
        doc = Document(url="https://port.example/cranes", source="port", title="New cranes",
                       text="The harbour ordered four electric cranes from a Finnish maker.")
        result = store.upsert(doc)
        engine = make_alert_engine(config, store, echo=False)
        engine.on_document(doc, result)
        assert [a.rule for a in engine.fired] == [f"saved:{on.id}"]
        saved.update(on.id, muted=True)
        other = Document(url="https://port.example/cranes-2", source="port", text="More harbour cranes arrive.")
        muted = make_alert_engine(config, store, echo=False)
        muted.on_document(other, store.upsert(other))
        assert muted.fired == []
    finally:
        store.close()


def test_a_query_the_engine_cannot_run_is_refused_when_saved(config: Config) -> None:
    with pytest.raises(SavedSearchError, match="query"):
        SavedSearches(config.scheduler.db_url).create("only exclusions", "-cranes")


def test_an_alert_on_fields_that_need_other_documents_is_refused(config: Config) -> None:
    saved = SavedSearches(config.scheduler.db_url)
    kept = saved.create("duarte stories", "duarte story:s1")  # a search may use them
    with pytest.raises(SavedSearchError, match="alert: .*story:"):
        saved.update(kept.id, alert=True)
    with pytest.raises(SavedSearchError, match="alert: .*link:"):
        saved.create("visit links", "link:official_visit->deal", alert=True)
    assert not saved.alert_rules()
