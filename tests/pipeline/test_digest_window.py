"""The digest covers a window by publication time (falling back to fetch time) and reads as a briefing:
what changed per watched entity first, then alerts (folded ones listed), then ranked top stories.

Documents are invented and annotated by hand; the rendered page is screenshotted in headless
Chromium (saved in the test output) and its plain-text part checked as a mail client shows it.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config, DigestConfig, Recipient, SchedulerConfig, Watchlist
from pipeline.digest.build import Window, collect, default_window, render_html, render_text, snippet
from storage.models import Annotations, Document, Entity, Provenance, Quote, Span, Speaker, Stance, WatchEntry
from storage.sqlite_store import SQLiteStore

ENTRIES = [WatchEntry(id="duarte", name="Helena Duarte", type="person", watchlist="trade"),
           WatchEntry(id="veltrix", name="Veltrix Mobile", type="org", watchlist="trade")]
LISBON = "Europe/Lisbon"
WINDOW = Window(datetime(2026, 3, 10, 7, 0, tzinfo=UTC), datetime(2026, 3, 11, 7, 0, tzinfo=UTC), LISBON)
CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("NEWSWATCH_TEST_OUTPUT", "/tmp/newswatch-test-output"))


def ent(text: str, body: str, label: str, eid: str | None = None) -> Entity:
    at = body.find(text)
    return Entity(text=text, start=at, end=at + len(text), label=label, entity_id=eid, canonical=text)


def doc(n: int, published: str | None, fetched: str, body: str, title: str, source: str = "ledger",
        story: str | None = None, extra: list[Entity] | None = None) -> Document:
    ents = [ent(name, body, "PERSON" if eid == "duarte" else "ORG", eid)
            for name, eid in (("Helena Duarte", "duarte"), ("Veltrix Mobile", "veltrix")) if name in body]
    d = Document(url=f"https://{source}.example/{n}", text=body, title=title, source=source, published_at=published,
                 provenance=Provenance(fetched_at=fetched),
                 annotations=Annotations(entities=ents + (extra or [])))
    d.annotations.story_id = story
    return d


def quote(d: Document, text: str, speaker: str, label: str, score: float) -> None:
    st = Stance(target="Helena Duarte", label=label, score=score, holder=speaker, evidence=Span(text, 0, len(text)),
                entity_id="duarte")
    d.annotations.quotes.append(Quote(text=text, start=0, end=len(text), speaker=Speaker(text=speaker), stance=[st]))


VISIT = ("Trade Minister Helena Duarte toured the Veltrix Mobile plant in Porto on Tuesday, the first visit by a "
         "minister since the factory opened. Workers lined the assembly hall as she spoke about export quotas.")


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "store.db")
    yield s
    s.close()


@pytest.fixture
def briefing(store: SQLiteStore) -> SQLiteStore:
    """Two stories and a stray inside the window, two documents the day before, one far older."""
    numbers = "Veltrix Mobile sold 40,000 handsets in March at 199 dollars each, SKU ZX-9, said Chinese buyers."
    lead = doc(1, "2026-03-10T09:30:00Z", "2026-03-10T09:40:00Z", "Veltrix visit: the minister in Porto. " + VISIT,
               "Veltrix visit: the minister in Porto", story="s-visit",
               extra=[ent("Porto", VISIT, "GPE"), ent("Tuesday", VISIT, "DATE")])
    quote(lead, "Helena Duarte has finally listened to the exporters", "Rui Campos", "favor", 0.9)
    lead.annotations.events = [{"id": "e1", "type": "official_visit", "actors": [{"entity_id": "duarte"}],
                                "evidence": {"text": "Helena Duarte toured the Veltrix Mobile plant in Porto"}}]
    lead.annotations.links = [{"type": "co_timed", "entities": ["duarte", "veltrix"],
                               "explanation": "the Nova 7 launch came two days after the minister's visit"}]
    copy = doc(2, "2026-03-10T11:00:00Z", "2026-03-10T11:05:00Z", VISIT, "Minister visits handset plant",
               source="wire", story="s-visit")
    copy2 = doc(3, None, "2026-03-10T15:00:00Z", VISIT + " Unions welcomed it.", "Porto plant gets a visitor",
                source="metro", story="s-visit")  # no publication date: its fetch time counts
    sales = doc(4, "2026-03-10T20:00:00Z", "2026-03-10T20:10:00Z", numbers, "Handset sales", source="ledger",
                extra=[ent("40,000", numbers, "CARDINAL"), ent("March", numbers, "DATE"),
                       ent("199 dollars", numbers, "MONEY"), ent("SKU", numbers, "ORG"),
                       ent("Chinese", numbers, "NORP")])
    late = doc(5, "2026-03-11T08:00:00Z", "2026-03-11T08:01:00Z", "Helena Duarte spoke again.", "After the window")
    backfilled = doc(6, "2026-03-09T10:00:00Z", "2026-03-10T10:00:00Z", "Helena Duarte met port officials. " * 3,
                     "Yesterday's meeting")  # fetched inside the window, published before it
    quote(backfilled, "Helena Duarte has ignored the exporters for months", "Rui Campos", "against", 0.8)
    older = doc(7, "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "Helena Duarte at a summit.", "Long ago")
    for d in (lead, copy, copy2, sales, late, backfilled, older):
        store.upsert(d)
    return store


FOLDED = {"rule": "watch", "entity_id": "duarte", "entity_name": "Helena Duarte", "type": "mention",
          "why": "Helena Duarte mentioned in 2 more documents after the alert on 'Veltrix visit'",
          "url": "https://wire.example/2", "title": "Minister visits handset plant", "kind": "article",
          "source": "wire", "fired_at": "2026-03-10T12:00:00Z", "folded_count": 2,
          "folded": [{"id": "d2", "url": "https://wire.example/2", "title": "Minister visits handset plant",
                      "source": "wire"},
                     {"id": "d3", "url": "https://metro.example/3", "title": "Porto plant gets a visitor",
                      "source": "metro"}]}


def test_window_is_by_publication_time_falling_back_to_fetch_time(briefing) -> None:
    data = collect(briefing, ENTRIES, "Trade", window=WINDOW)
    urls = {d.url for s in data.stories for d in s.docs}
    assert urls == {"https://ledger.example/1", "https://wire.example/2", "https://metro.example/3",
                    "https://ledger.example/4"}  # not the backfilled one (published the day before), not after
    assert data.total == 4
    assert data.previous_mentions["duarte"] == 1  # the backfilled document counts for the previous window


def test_what_changed_leads_with_mentions_chart_stance_shift_quote_events_links(briefing) -> None:
    data = collect(briefing, ENTRIES, "Trade", window=WINDOW)
    duarte = next(c for c in data.changes if c.entity_id == "duarte")
    assert (duarte.mentions, duarte.previous, duarte.change) == (3, 1, "+200%")
    assert duarte.stance_before is not None and duarte.stance_now is not None and duarte.stance_shift > 1
    assert duarte.quote is not None and "finally listened" in duarte.quote.text  # the quote of the new direction
    assert [ev["type"] for ev, _ in duarte.events] == ["official_visit"]
    assert "two days after" in duarte.links[0]["explanation"]
    html = render_html(data)
    assert html.index("What changed") < html.index("Alerts") < html.index("Top stories")
    changed = html[html.index("What changed"):html.index("Alerts")]
    assert "<svg" in changed and "shifted" in changed and "finally listened" in changed
    assert "official visit" in changed and "the Nova 7 launch came two days after" in changed


def test_top_stories_ranked_with_snippets_that_are_not_the_title(briefing) -> None:
    data = collect(briefing, ENTRIES, "Trade", window=WINDOW)
    assert [len(s.docs) for s in data.stories] == [3, 1]  # the three-source story about both entities leads
    lead = data.stories[0].lead
    assert snippet(lead) == VISIT  # the title the text starts with is not repeated
    long = Document(url="https://x.example/", text=VISIT * 3, source="s", title="A title")
    text = snippet(long)
    assert text.endswith("\u2026") and len(text) <= 241
    cut = text[:-1]
    assert (VISIT * 3).startswith(cut) and (VISIT * 3)[len(cut)] == " "  # cut at a word
    long_word = Document(url="https://x.example/", text="word " * 100, source="s", title=None)
    assert snippet(long_word).endswith("word\u2026")


def test_dates_are_human_in_the_recipients_time_zone_and_the_header_names_the_window(briefing) -> None:
    html = render_html(collect(briefing, ENTRIES, "Trade", window=WINDOW))
    assert "Tue 10 Mar, 07:00 to Wed 11 Mar 2026, 07:00 (Europe/Lisbon)" in html
    assert "Tue 10 Mar, 09:30" in html  # 09:30Z is 09:30 in Lisbon in March (WET)
    assert "2026-03-10T09:30" not in html
    tokyo = render_html(collect(briefing, ENTRIES, "Trade", window=Window(WINDOW.start, WINDOW.end, "Asia/Tokyo")))
    assert "Tue 10 Mar, 18:30" in tokyo


def test_numeric_and_date_entities_are_never_listed(briefing) -> None:
    data = collect(briefing, ENTRIES, "Trade", window=WINDOW)
    assert set(data.other_entities) == {"Porto"}
    html = render_html(data)
    also = html[html.index("Also in the news"):]
    for noise in ("40,000", "March", "199 dollars", "SKU", "Chinese", "Tuesday"):
        assert noise not in also


def test_folded_alert_lists_its_documents_in_the_digest(briefing) -> None:
    data = collect(briefing, ENTRIES, "Trade", alerts=[FOLDED], window=WINDOW)
    html, text = render_html(data), render_text(data)
    alerts = html[html.index("<h2>Alerts"):html.index("Top stories")]
    assert "2 more documents" in alerts and 'href="https://metro.example/3"' in alerts
    assert "Porto plant gets a visitor (metro) https://metro.example/3" in text


def test_rendered_digest_screenshot_and_plain_text_view(briefing, tmp_path: Path) -> None:
    data = collect(briefing, ENTRIES, "Trade watch", alerts=[FOLDED], window=WINDOW)
    page = tmp_path / "digest.html"
    page.write_text(render_html(data), encoding="utf-8")
    text = render_text(data)
    (tmp_path / "digest.txt").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "Trade watch" and "(Europe/Lisbon): 4 documents, 1 alert" in lines[2]
    assert lines.index("WHAT CHANGED") < lines.index("ALERTS") < lines.index("TOP STORIES")
    assert all(len(line) < 400 for line in lines) and "<" not in text.replace("<https", "")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    shot = tmp_path / "digest.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"])
        try:
            tab = browser.new_page(viewport={"width": 820, "height": 1000})
            tab.goto(page.as_uri())
            assert tab.locator("h2").first.inner_text() == "What changed"
            assert tab.locator(".entity svg").count() == 2  # a small chart per watched entity
            tab.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for f in (shot, page, tmp_path / "digest.txt"):
        shutil.copy(f, OUTPUT / f.name)
    assert shot.stat().st_size > 10_000


def test_default_window_is_since_the_last_digest_sent_else_24_hours(tmp_path: Path) -> None:
    from pipeline.alerts.outbox import Outbox

    config = Config(data_dir=tmp_path / "data", scheduler=SchedulerConfig(db_url=f"sqlite:///{tmp_path / 's.db'}"))
    rcpt = Recipient(email="desk@example.org", watchlists=["trade"], timezone=LISBON)
    now = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)
    first = default_window(config, rcpt, now)
    assert first.length.total_seconds() == 86400 and first.end == now and first.tz == LISBON
    box = Outbox(config.scheduler.db_url)
    box.put("digest|desk@example.org|a", "digest-email", {"window": {"end": "2026-03-10T18:00:00Z"}})
    box.done(box.claim_due()[0])
    assert default_window(config, rcpt, now).start == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def test_cli_digest_names_its_file_after_the_window_and_refuses_unreadable_dates(briefing, tmp_path: Path,
                                                                                 capsys) -> None:
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    shutil.copy(briefing.path, data_dir / "newswatch.db")
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{data_dir}"\n[watchlists.trade]\n'
                   'entries = [{id = "duarte", name = "Helena Duarte", type = "person"}]\n', encoding="utf-8")
    assert main(["digest", "--config", str(cfg), "--date", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    assert "Tuesday 10 March 2026 (UTC)" in out and (data_dir / "digests" / "digest-2026-03-10.html").exists()
    assert main(["digest", "--config", str(cfg), "--since", "2026-03-10T07:00Z"]) == 0
    assert "digest-2026-03-10-0700_" in capsys.readouterr().out
    assert main(["digest", "--config", str(cfg), "--since", "last tuesday"]) == 2
    assert "--since: cannot read 'last tuesday'" in capsys.readouterr().err


def test_config_digest_config_keeps_recipient_time_zone() -> None:
    cfg = DigestConfig(recipients=[Recipient(email="a@example.org", watchlists=["trade"], timezone=LISBON)])
    assert cfg.recipients[0].timezone == LISBON and Watchlist(name="trade", entries=ENTRIES).entries
