"""Where scikit-learn's coordinate-descent tests do not apply to lassokit, and why.

Read by the ``conftest.py`` that ``run_sklearn_cd_tests.py`` writes. Each
entry names a scikit-learn test (``test`` is a regular expression matched in
full against the test's name, parameters included) and says why it does not
pass as written:

* ``kind="skip"``: the test exercises something lassokit does not provide
  (an estimator class, or scikit-learn's private internals); run, it would
  test scikit-learn.
* ``kind="xfail"``: a documented, deliberate difference (docs/estimators.rst,
  "Differences from scikit-learn"); marked strict, so the run fails the day
  the test passes and the entry has become stale. ``raises`` narrows the
  failure accepted, where one exception type is the whole difference.

The entries are grouped by reason; keep docs/estimators.rst's list in step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIFFERENCES", "Difference"]


@dataclass(frozen=True)
class Difference:
    module: str | None  # file name, or None for both modules
    test: str  # regular expression, matched in full against item.name
    kind: str  # "skip" or "xfail"
    reason: str
    raises: type | tuple | None = None

    def label(self):
        return f"lassokit: {self.reason}"


CD = "test_coordinate_descent.py"
SPARSE = "test_sparse_coordinate_descent.py"

DIFFERENCES: list[Difference] = []
