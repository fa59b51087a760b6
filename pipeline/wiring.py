"""Wiring: build each component from the validated config, passing only the settings it needs.

Only entry points import this module (the CLI commands, the service, the demo, benches): the rooms
below them take their stores, analyzers and engines as arguments.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from pipeline.alerts.delivery import attach_outbox
from pipeline.alerts.folds import StoredFolds
from pipeline.alerts.rules import AlertEngine, alert_log_path, jsonl_notifier
from pipeline.alerts.saved_searches import SavedSearches
from pipeline.config import AlertRule, Config
from pipeline.correlator import make_event_stages
from pipeline.ingest.analysis_process import ProcessAnalyzer
from pipeline.ingest.ingestor import Ingestor, StoryAssigner
from pipeline.ingest.pending import PendingAnalysis
from pipeline.ingest.staged import ArrivalStage, StagedIngest
from pipeline.workers.analysis import AnalyzerFactory, OpenIngest, WorkerAnalysis
from storage.base import Store
from storage.open import open_store

if TYPE_CHECKING:
    from nlp.analyzer import Analyzer


def make_store(config: Config) -> Store:
    if config.storage_url.startswith("sqlite:"):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(config.storage_url)


def make_analyzer(config: Config) -> Analyzer:
    """Load the NLP models once for the whole run (slow: seconds), with the config's watchlists."""
    # Deferred on purpose: spaCy and torch take seconds to import; commands that only read the store skip them.
    from nlp.analyzer import Analyzer

    return Analyzer(config.watch_entries(), config.nlp)


def saved_search_rules(config: Config) -> list[AlertRule]:
    """The alert rules of saved searches (``/saved`` in the web UI); none, with a warning, when the service
    database cannot be read, so that ingest goes on with the rules of the config file."""
    try:
        return SavedSearches(config.scheduler.db_url).alert_rules()
    except SQLAlchemyError as exc:
        print(f"newswatch: saved-search alerts skipped: the service database {config.scheduler.db_url} "
              f"cannot be read ({exc.__class__.__name__}: {str(exc).splitlines()[0]})", file=sys.stderr)
        return []


def make_alert_engine(config: Config, store: Store, echo: bool = True) -> AlertEngine:
    notifiers = [jsonl_notifier(alert_log_path(config))]
    if echo:
        notifiers.append(lambda a: print(f"ALERT {a.headline()}", file=sys.stderr))
    rules = [*config.alerts, *saved_search_rules(config)]
    folding = any(r.type == "mention" and r.cooldown_s == 0 for r in rules)
    folds = StoredFolds(config.scheduler.db_url) if folding else None  # a killed run's folded matches survive it
    engine = AlertEngine(rules, store, config.watch_entries(), notifiers, folds=folds)
    if any(r.channels or r.email for r in rules):
        attach_outbox(engine, config)
    return engine


def worker_analysis(config: Config, analyzer_factory: AnalyzerFactory | None = None) -> WorkerAnalysis:
    """What a ``newswatch worker`` process runs per task: the models (loaded once), then per connection the
    store, the alert engine (the rules that need the analysis: events, stance shifts, links) and the
    correlator. Story ids were given on arrival, in the ingesting process."""

    def open_ingest(analyzer: Any) -> OpenIngest:
        store = make_store(config)
        try:
            alerts = make_alert_engine(config, store, echo=False)
            correlator, _stories = make_event_stages(config, store, [alerts])
            ingestor = Ingestor(store, analyzer, [alerts, *([correlator] if correlator else [])])
        except BaseException:
            store.close()
            raise
        return OpenIngest(store, ingestor, [alerts.close, store.close])

    return WorkerAnalysis(config.scheduler.db_url, analyzer_factory or functools.partial(make_analyzer, config),
                          open_ingest)


class TwoStage:
    """The two-stage ingest of ``newswatch crawl``, ``ingest`` and ``run`` (its crawls).

    The arrival stage runs in the command's thread (mention, first-mention and search alerts go
    out seconds after a document arrives); the full analysis runs in a child process, batched,
    and its results are stored and fire the analysis rules (events, stance shifts, links) in a
    worker thread. Arrived documents are noted durably (``PendingAnalysis``) until stored, and
    every run first finishes what a killed run left noted. :meth:`close` drains both stages.

    With ``[workers] enabled`` the second stage is Celery's instead (``pipeline.workers``): the
    arrival stage and its alerts stay here, each fresh document becomes a task for ``newswatch
    worker`` processes, and :meth:`close` returns once the tasks are sent.
    """

    def __init__(self, config: Config, store: Store, listeners: Iterable[Any],
                 stories: StoryAssigner | None = None, analyze: bool = True) -> None:
        pending = PendingAnalysis(config.scheduler.db_url)
        self.analyzer: Any = None
        self.stage: ArrivalStage
        if analyze and config.workers.enabled:
            # Deferred: Celery and kombu load only where workers are configured.
            from pipeline.workers.dispatch import MatcherOnly, WorkerStage

            self.ingestor = Ingestor(store, MatcherOnly(config.watch_entries()), listeners, stories=stories)
            self.stage = WorkerStage(self.ingestor, pending, config.workers)
        else:
            self.analyzer = (ProcessAnalyzer(functools.partial(make_analyzer, config), config.watch_entries())
                             if analyze else None)
            self.ingestor = Ingestor(store, self.analyzer, listeners, stories=stories)
            self.stage = StagedIngest(self.ingestor, pending=pending)
        self.resumed = self.stage.resume()

    def close(self) -> None:
        """Wait for every arrived document's analysis to land, then stop the analysis process."""
        try:
            self.stage.close()
        finally:
            if self.analyzer is not None:
                self.analyzer.close()
