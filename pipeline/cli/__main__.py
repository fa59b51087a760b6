"""`python -m pipeline.cli`: the same as the `newswatch` command."""

import sys

from pipeline.cli.main import main

if __name__ == "__main__":  # a spawned child (the analysis process) imports this module again: it must not run
    sys.exit(main())
