"""Shared settings of the fuzz suite: derandomized (the same examples every run) and bounded.

``NEWSWATCH_FUZZ=ci`` (the default) runs a small budget per target, fit for every CI run;
``NEWSWATCH_FUZZ=long`` runs thousands of examples per target, with randomness (see
docs/security.md for the command). Each example is also bounded in time by the code under test
(extraction budgets, caps), never by a timing assertion here.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large]}
settings.register_profile("newswatch-fuzz-ci", max_examples=30, derandomize=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("newswatch-fuzz-long", max_examples=3000, derandomize=False, **_COMMON)  # type: ignore[arg-type]

FUZZ = settings(settings.get_profile(f"newswatch-fuzz-{os.environ.get('NEWSWATCH_FUZZ', 'ci')}"))
