"""Pytest configuration: the ``--runslow`` tier, the Hypothesis profiles and the
shared fixtures.

The shared helpers live in three plain modules and are re-exported here, so
that ``from conftest import make_problem`` and ``import conftest as cf``
keep working:

* ``_tolerances``: tolerances (relative to the problem's scale, never as
  decimal places), coefficient / objective checks, converged references;
* ``_problems``: :func:`make_data` / :func:`make_problem`, the small standard
  problems (dense or sparse CSC/CSR, float32/float64, with or without
  intercept, sample weights, per-feature weights with zeros, positivity,
  L1/L2 mixes);
* ``_reference``: :func:`reference_solve`, an independent CVXPY reference
  (not lassokit's own ``"cvxpy"`` backend) polished with the KKT equations,
  and the checks that judge a solution by it.

Some helpers are also exposed as fixtures of the same name for files that
prefer fixtures.
"""

from __future__ import annotations

import numpy as np
import pytest
from _problems import *  # re-exported: ``from conftest import Spec``
from _problems import make_problem
from _reference import *  # re-exported
from _reference import reference_solve
from _tolerances import *  # re-exported

import lassokit as lk

# ---------------------------------------------------------------------------
# --runslow / slow marker (the marker itself is declared in pyproject.toml).
# ---------------------------------------------------------------------------


def pytest_addoption(parser):
    parser.addoption(
        "--runslow", action="store_true", default=False, help="also run tests marked slow"
    )


def pytest_configure(config):
    # Declared here too so the marker exists even when pyproject is not the ini file.
    config.addinivalue_line("markers", "slow: larger tier, run with --runslow")
    _load_hypothesis_profile(config.getoption("--runslow"))


#: Hypothesis examples per property test: few in the default (CI) tier, more
#: with --runslow. derandomize=True makes every run draw the same examples.
HYPOTHESIS_EXAMPLES = {"fast": 6, "slow": 60}


def _load_hypothesis_profile(slow):
    try:
        from hypothesis import HealthCheck, Phase, settings
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return
    for name, count in HYPOTHESIS_EXAMPLES.items():
        settings.register_profile(
            f"lassokit-{name}", max_examples=count, deadline=None, derandomize=True,
            database=None, print_blob=True,
            # no "explain" phase: it writes patch files and imports libcst
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
    settings.load_profile("lassokit-slow" if slow else "lassokit-fast")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    # Deselect rather than skip: the slow tier is a separate run, not a
    # condition that failed, and 2,000 "skipped" lines would hide real skips.
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        items[:] = [item for item in items if "slow" not in item.keywords]
        config.hook.pytest_deselected(items=slow)


# ---------------------------------------------------------------------------
# Fixtures (thin wrappers over the functions above)
# ---------------------------------------------------------------------------


@pytest.fixture
def rng():
    """A seeded generator, fresh for each test."""
    return np.random.default_rng(12345)


@pytest.fixture(name="make_problem")
def _make_problem_fixture():
    return make_problem


@pytest.fixture(name="reference_solve")
def _reference_solve_fixture():
    return reference_solve


@pytest.fixture
def registry_cleanup():
    """Unregister backends registered during a test (names collected here)."""
    from lassokit.backends.registry import unregister_backend

    names = []
    yield names
    for name in names:
        unregister_backend(name)


@pytest.fixture
def register_for_test(registry_cleanup):
    """``register(backend)``: :func:`lassokit.register_backend` for this test
    only (unregistered after it, by :func:`registry_cleanup`); returns the name."""

    def register(backend):
        lk.register_backend(backend)
        registry_cleanup.append(backend.name)
        return backend.name

    return register
