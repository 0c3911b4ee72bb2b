"""scikit-learn's own estimator checks (``parametrize_with_checks``) on every estimator.

All checks run on the estimators as constructed by default; the CV
estimators run with ``cv=3`` (as scikit-learn's own common tests do) to keep
the suite fast; ``RidgeCV`` runs with its default, leave-one-out.
``check_sample_weight_equivalence_on_{dense,sparse}_data`` demands that
weighted and repeated-row fits predict identically to ``rtol=1e-7``: it
passes at the default ``tol`` because every fit is finished exactly on its
support (``lassokit._polish``; by Newton's method for the estimators with a
coefficient matrix or a group penalty, ``lassokit.estimators._matrix_polish``),
and a CV refit whose support is not identified at ``tol`` is solved once
more, tighter. ``GroupLasso`` runs with its default ``groups=None`` (every
feature its own group). No check is expected to fail.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

import lassokit as lk

#: Checked as constructed by default.
DEFAULTS = (lk.Lasso, lk.ElasticNet, lk.Ridge, lk.LassoIC, lk.LogisticRegression,
            lk.PoissonRegressor, lk.RidgeCV, lk.MultiTaskLasso, lk.MultiTaskElasticNet,
            lk.GroupLasso)
#: Cross-validated estimators, checked with ``cv=3``.
CV3 = (lk.LassoCV, lk.ElasticNetCV, lk.LogisticRegressionCV, lk.MultiTaskLassoCV,
       lk.MultiTaskElasticNetCV, lk.GroupLassoCV)
ESTIMATORS = [cls() for cls in DEFAULTS] + [cls(cv=3) for cls in CV3]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_estimator_is_checked():
    """A new estimator cannot be left out of the checks above by mistake."""
    from lassokit import estimators

    assert {type(e).__name__ for e in ESTIMATORS} == set(estimators.__all__)
