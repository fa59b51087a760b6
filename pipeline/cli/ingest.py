"""``newswatch ingest FILE.jsonl``: store documents from JSON lines, analyzed on the way in; one answer per line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipeline.config import Config
from pipeline.correlator import make_event_stages
from pipeline.ingest.ingestor import IngestError, document_from_record
from pipeline.ingest.jsonl import JsonlWriter, chunks, open_input, read_lines
from pipeline.progress import progress
from pipeline.wiring import TwoStage, make_alert_engine, make_store

INGEST_CHUNK = 32


def ingest(config: Config, args: argparse.Namespace) -> int:
    stream = open_input(args.file)
    store = make_store(config)
    out = JsonlWriter(sys.stdout)
    try:
        engine = make_alert_engine(config, store)
        correlator, stories = make_event_stages(config, store, [engine])
        # each line is answered on arrival (its mention alerts out); the analysis lands behind it
        two = TwoStage(config, store, [engine, *([correlator] if correlator else [])], stories=stories,
                       analyze=not args.no_analyze)
        with progress("ingest") as bar:
            for chunk in chunks(read_lines(stream, require_id=False), INGEST_CHUNK):
                # Bad lines answer in place; good ones are analyzed together (one nlp.pipe pass).
                answers: list[dict[str, Any] | int] = []
                docs = []
                for line in chunk:
                    try:
                        if line.error or line.obj is None:
                            raise IngestError(line.error or "unreadable line")
                        docs.append(document_from_record(line.obj))
                        answers.append(line.number)
                    except IngestError as exc:
                        answers.append(line.error_answer(str(exc)))
                results = iter(two.stage.take(docs))
                for answer in answers:
                    if isinstance(answer, int):
                        result, _queued = next(results)
                        answer = {"line": answer, "id": result.id, "status": result.status}
                    out.write(answer)
                bar.advance(len(chunk))
        two.close()
        engine.close()
    finally:
        store.close()
    return 0
