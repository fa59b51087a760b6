"""``newswatch links [--json] [--since DATE]``: the co-timed event pairs the correlator stored."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.config import Config
from pipeline.correlator import links_since
from pipeline.wiring import make_store


def links(config: Config, args: argparse.Namespace) -> int:
    """Stored links, oldest first."""
    store = make_store(config)
    try:
        found = links_since(store, getattr(args, "since", None))
    finally:
        store.close()
    for link in found:
        if args.json:
            print(json.dumps(link.to_dict(), ensure_ascii=False))
            continue
        print(f"{link.created_at}  score {link.score:.2f}  {link.explanation}")
        for end in link.events:
            print(f"    {end.type:<15} {end.url or end.doc_id}")
    if not args.json:
        print(f"{len(found)} link(s)", file=sys.stderr)
    return 0
