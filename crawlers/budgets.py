"""What one page may cost to extract, shared by the crawl's workers and ``extract --batch``.

A module of constants only, so that the command line can show the defaults without loading the
extractors.
"""

DEFAULT_WORKERS = 2
DEFAULT_PAGE_BUDGET_S = 30.0
DEFAULT_PAGE_MEMORY_MB = 1024
