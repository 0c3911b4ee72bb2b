"""scikit-learn's own estimator checks (``parametrize_with_checks``) on every estimator.

All checks run on the estimators as constructed by default, except two
documented adjustments:

* the CV estimators run with ``cv=3`` (as scikit-learn's own common tests
  do) to keep the suite fast;
* ``check_sample_weight_equivalence_on_{dense,sparse}_data`` demands that
  weighted and repeated-row fits predict identically to ``rtol=1e-7``.
  scikit-learn's coordinate descent passes at its default ``tol`` only
  because its iterates are identical on both data sets; lassokit certifies
  every answer to ``tol`` instead (working sets and Anderson steps depend on
  n), so two answers can differ by up to the tolerance. Those two checks
  therefore run the CV estimators at ``tol=1e-12`` (on a 10-point grid, to
  keep them fast).

One check cannot pass and is an expected failure: the equivalence checks on
``ElasticNetCV``. The selected model is ill-conditioned (a tiny L2 term on
30 features fitted to 15 distinct rows): at a relative duality gap of
4e-16 -- float64's floor -- the coefficients of two exact optima still
differ by ~4e-7 (``||w - w*||^2 <= 2 gap / mu``), and so do predictions at
the 1e-8 level; only bit-identical iterates could pass.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

import lassokit as lk

_EQUIVALENCE = {
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
}

ESTIMATORS = [
    lk.Lasso(),
    lk.ElasticNet(),
    lk.Ridge(),
    lk.LassoCV(cv=3),
    lk.ElasticNetCV(cv=3),
]


def _expected_failures(estimator):
    if isinstance(estimator, lk.ElasticNetCV):
        reason = ("ill-conditioned refit: optima at float64's gap floor still differ by "
                  "~1e-8 in prediction (see module docstring)")
        return {name: reason for name in _EQUIVALENCE}
    return {}


def _check_name(check):
    return getattr(check, "func", check).__name__


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    if _check_name(check) in _EQUIVALENCE and "cv" in estimator.get_params():
        estimator.set_params(tol=1e-12, max_iter=100_000, alphas=10)
    check(estimator)
