"""``newswatch migrate --from URL --to URL [--limit N]``: move a store to another (SQLite <-> PostgreSQL).

Resumable: run it again after a kill and it goes on where it stopped. Ends with a table of counts and
checksums per kind; exit 1 when the target does not match the source.
"""

from __future__ import annotations

import argparse
import sys

from pipeline.config import Config
from pipeline.migrate import MigrateMismatch
from pipeline.migrate import migrate as run_migrate
from pipeline.progress import progress
from storage.open import open_store


def migrate(config: Config, args: argparse.Namespace) -> int:
    """Copy every document (with versions and annotations), event, link, alert mark, crawl and health state,
    story and cursor; then compare."""
    del config  # the two stores are named on the command line, not by the config's [storage] url
    if args.source.strip() == args.target.strip():
        print("newswatch migrate: --from and --to name the same store", file=sys.stderr)
        return 2
    source = open_store(args.source)
    try:
        target = open_store(args.target)
        try:
            with progress("migrate documents", total=source.count()) as bar:
                try:
                    report = run_migrate(source, target, limit=args.limit, progress=bar.advance)
                except MigrateMismatch as exc:
                    print(f"newswatch migrate: {exc}", file=sys.stderr)
                    return 1
        finally:
            target.close()
    finally:
        source.close()
    moved = ", ".join(f"{n} {kind}" for kind, n in report.moved.items())
    print(f"moved: {moved}", file=sys.stderr)
    if report.stopped_early:
        print(f"stopped after {args.limit} document(s) (--limit); run again to go on", file=sys.stderr)
        return 0
    print(f"{'kind':<15} {'source':>10} {'target':>10}  {'sha256 (source)':<15}  {'sha256 (target)':<15}  ok")
    for c in report.checks:
        print(f"{c.kind:<15} {c.source_count:>10} {c.target_count:>10}  {c.source_sum[:15]:<15}  "
              f"{c.target_sum[:15]:<15}  {'yes' if c.ok else 'NO'}")
    bad = [c.kind for c in report.checks if not c.ok]
    if bad:
        print(f"newswatch migrate: the target differs from the source in: {', '.join(bad)} "
              "(counts or checksums); was the target written to by something else?", file=sys.stderr)
        return 1
    return 0
