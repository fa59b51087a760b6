"""`python -m pipeline.cli`: the same as the `newswatch` command."""

import sys

from pipeline.cli.main import main

sys.exit(main())
