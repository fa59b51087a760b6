"""``newswatch export --format csv|parquet|jsonl``: stored documents with their annotations."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from pipeline.config import Config
from pipeline.ingest.jsonl import JsonlWriter
from pipeline.rows import flat_record, neutralise_formula
from pipeline.wiring import make_store


def export(config: Config, args: argparse.Namespace) -> int:
    store = make_store(config)
    try:
        if args.format == "jsonl":
            target = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
            writer = JsonlWriter(target)
            for doc in store.iter_since(args.since):
                writer.write(doc.to_dict())
            if args.output:
                target.close()
                print(f"wrote {writer.count} documents to {args.output}", file=sys.stderr)
            return 0
        records = [flat_record(d) for d in store.iter_since(args.since)]
    finally:
        store.close()
    frame = pd.DataFrame.from_records(records)
    if args.format == "csv":
        for col in ("entity_ids", "entities", "quotes", "stance", "events"):
            if col in frame:
                frame[col] = frame[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        for col in frame.columns:
            frame[col] = frame[col].map(neutralise_formula)
        frame.to_csv(args.output or sys.stdout, index=False)
    else:
        output = args.output or "newswatch-export.parquet"
        for col in ("entities", "quotes", "stance", "events"):
            if col in frame:
                frame[col] = frame[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        frame.to_parquet(output, index=False)
        print(f"wrote {len(frame)} documents to {output}", file=sys.stderr)
    return 0
