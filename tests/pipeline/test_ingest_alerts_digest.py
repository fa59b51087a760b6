"""Ingest analyzes and stores; alerts fire once per (rule, entity, document); the digest is safe HTML."""

from __future__ import annotations

import json

import pytest
from aiosmtpd.controller import Controller
from mailkit import Inbox, free_port

from pipeline.alerts.rules import AlertEngine
from pipeline.digest.build import build_for_config, send_digest
from pipeline.ingest.ingestor import IngestError, Ingestor, document_from_record
from pipeline.wiring import make_alert_engine, make_store

LISTING = {"url": "https://shop.example/item/duarte-mug?utm_source=feed", "kind": "product", "source": "shop",
           "title": "Helena Duarte portrait mug",
           "text": "Ceramic mug printed with a portrait of Helena Duarte. <script>alert(1)</script> Ships in 3 days.",
           "product": {"name": "Helena Duarte portrait mug", "price": "12.50", "currency": "USD"}}
ARTICLE = {"url": "https://news.example/launch", "source": "ledger", "title": "Veltrix shows the Nova 7",
           "published_at": "2026-03-10",
           "text": "Veltrix Mobile showed the Nova 7 in Shenzhen on Tuesday while Trade Minister Helena Duarte "
                   "toured the city. \"The timing is superb,\" said Priya Natarajan, an analyst at Kestrel Research."}


@pytest.fixture
def store(config):
    s = make_store(config)
    yield s
    s.close()


def test_record_errors_name_the_field() -> None:
    with pytest.raises(IngestError, match="field 'kind'"):
        document_from_record({"url": "https://x.example/", "text": "t", "kind": "blog"})
    with pytest.raises(IngestError, match="missing 'text'"):
        document_from_record({"url": "https://x.example/"})
    with pytest.raises(IngestError, match="unknown field 'body'"):
        document_from_record({"url": "https://x.example/", "text": "t", "body": "?"})


def test_canonical_url_drops_tracking_parameters() -> None:
    doc = document_from_record(LISTING)
    assert "utm_source" not in (doc.canonical_url or "")


def test_ingest_is_new_then_unchanged_then_updated(store, analyzer) -> None:
    ingestor = Ingestor(store, analyzer)
    assert ingestor.ingest(document_from_record(ARTICLE)).status == "new"
    assert ingestor.ingest(document_from_record(ARTICLE)).status == "unchanged"
    changed = dict(ARTICLE, text=ARTICLE["text"] + " Shares rose 3%.")
    result = ingestor.ingest(document_from_record(changed))
    assert (result.status, result.version) == ("updated", 2)
    stored = store.get(result.id)
    assert stored is not None and "veltrix" in {e.entity_id for e in stored.annotations.entities}
    assert stored.provenance.models


def test_alert_fires_once_and_says_already_sent_on_rerun(config, store, analyzer) -> None:
    engine = make_alert_engine(config, store, echo=False)
    Ingestor(store, analyzer, [engine]).ingest(document_from_record(LISTING))
    assert [a.entity_id for a in engine.fired] == ["helena-duarte"]
    second = make_alert_engine(config, store, echo=False)
    ingestor = Ingestor(store, analyzer, [second])
    doc = document_from_record(LISTING)
    # same document seen again after a restart: nothing new, nothing re-sent
    assert ingestor.ingest(doc).status == "unchanged" and second.fired == []
    # even if it is re-analyzed and re-offered to the engine, the store remembers the alert
    second.on_document(store.get(doc.id), None)  # type: ignore[arg-type]
    assert second.fired == [] and second.already_sent == 1
    log = (config.data_dir / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(log) == 1 and json.loads(log[0])["rule"] == "duarte-merchandise"


def test_alert_rule_respects_kinds(config, store, analyzer) -> None:
    engine = AlertEngine(config.alerts, store, config.watch_entries())
    Ingestor(store, analyzer, [engine]).ingest(document_from_record(ARTICLE))  # an article, rule wants products
    assert engine.fired == []


def test_digest_escapes_crawled_html_and_has_charts(config, store, analyzer) -> None:
    engine = make_alert_engine(config, store, echo=False)
    ingestor = Ingestor(store, analyzer, [engine])
    ingestor.ingest(document_from_record(LISTING))
    ingestor.ingest(document_from_record(ARTICLE))
    data, path = build_for_config(config, store, [a.to_dict() for a in engine.fired], None, "2026-03-10")
    page = path.read_text(encoding="utf-8")
    assert data.total == 2 and "<svg" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Helena Duarte" in page




def test_digest_email_reaches_a_real_smtp_server(config, store, analyzer) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config.smtp.host, config.smtp.port = "127.0.0.1", controller.port
        Ingestor(store, analyzer).ingest(document_from_record(ARTICLE))
        data, _ = build_for_config(config, store, [], None, "2026-03-10")
        sent = send_digest(data, config.smtp, config.digest.recipients, config.watch_entries(), store)
    finally:
        controller.stop()
    assert sent == 1 and inbox.recipients[0] == ["analyst@example.org"]
    body = inbox.raw[0].decode("utf-8", "replace")
    assert "Subject: Trade watch: daily digest" in body and "text/html" in body



def test_batched_ingest_analyzes_in_one_pass_and_keeps_order(store, analyzer) -> None:
    docs = [document_from_record(dict(ARTICLE, url=f"https://news.example/launch-{i}")) for i in range(5)]
    results = list(Ingestor(store, analyzer).ingest_many([*docs, document_from_record(ARTICLE)], batch_size=4))
    assert [r.status for r in results] == ["new"] * 6
    assert [r.id for r in results[:5]] == [d.id for d in docs]
    stored = store.get(results[2].id)
    assert stored is not None and "veltrix" in {e.entity_id for e in stored.annotations.entities}
    again = list(Ingestor(store, analyzer).ingest_many(docs, batch_size=4))
    assert [r.status for r in again] == ["unchanged"] * 5
