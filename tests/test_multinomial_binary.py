"""The multinomial loss with K = 2 is binary logistic regression (strength maps derived
in each test).
"""

from __future__ import annotations

import numpy as np
import pytest
from _multinomial_cases import make_data, tight_solve
from scipy.special import expit

import lassokit as lk

# ---------------------------------------------------------------------------
# K = 2: the binary logistic model in the symmetric parametrization
# ---------------------------------------------------------------------------

def binary_data(seed=41, n=80, p=5):
    X, y = make_data(n=n, p=p, K=2, seed=seed)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_two_classes_l2_is_binary_logistic(fit_intercept):
    """Multinomial L2(a) with K = 2 is binary logistic L2(a / 2) on ``v = w1 - w0``.

    For class 1 against class 0, ``logsumexp(z) - z_y = log(1 + exp(-t (z1 - z0)))``
    with ``t = +1`` for class 1 and ``-1`` for class 0: the logistic loss of
    ``v = w1 - w0``, ``c = b1 - b0``. The loss only sees ``v``; the L2 term
    ``(a/2)(|w0|^2 + |w1|^2)`` is least at ``w1 = -w0 = v/2``, where it is
    ``(a/4)|v|^2 = (a'/2)|v|^2`` with ``a' = a/2``.
    """
    a = 0.08
    X, y = binary_data()
    multi = lk.Problem(X, y, lk.L2(a), loss="multinomial", fit_intercept=fit_intercept)
    binary = lk.Problem(X, y, lk.L2(a / 2), loss="logistic", fit_intercept=fit_intercept)
    sm = tight_solve(multi)
    sb = binary.solve("cd", tol=1e-12, max_iter=10 ** 6)
    assert sm.status == "optimal" and sb.status == "optimal"
    W = np.asarray(sm.coef, float)
    v = np.asarray(sb.coef, float)
    scale = max(1.0, np.abs(v).max())
    assert sm.objective == pytest.approx(sb.objective, rel=1e-9)
    np.testing.assert_allclose(W[:, 1] - W[:, 0], v, atol=1e-6 * scale)
    np.testing.assert_allclose(W[:, 1], v / 2, atol=1e-6 * scale)
    np.testing.assert_allclose(W[:, 0], -v / 2, atol=1e-6 * scale)
    b = np.asarray(sm.intercept, float)
    assert b[1] - b[0] == pytest.approx(float(sb.intercept), abs=1e-6 * scale)
    np.testing.assert_allclose(sm.predict(X)[:, 1], expit(X @ v + sb.intercept), atol=1e-7)
    # A wrong map (a' = a) gives a visibly different answer: the test can tell.
    wrong = lk.Problem(X, y, lk.L2(a), loss="logistic",
                       fit_intercept=fit_intercept).solve("cd", tol=1e-12)
    assert abs(wrong.objective - sm.objective) > 1e-4


@pytest.mark.parametrize("kind", ["l1", "grouprows"])
def test_two_classes_l1_and_group_are_binary_l1(kind):
    """Multinomial L1(a) is binary L1(a); GroupL2(a) on rows is binary L1(a / sqrt(2)).

    With ``w1 - w0 = v`` fixed, ``min_c |w0 + c| + |w1 + c| = |v|`` (triangle
    inequality, reached for ``c`` between ``-w1`` and ``-w0``) and
    ``min_c ||(w0 + c, w1 + c)||_2 = |v| / sqrt(2)`` (at ``c = -(w0 + w1)/2``).
    """
    a = 0.04
    X, y = binary_data(seed=43)
    pen = lk.L1(a) if kind == "l1" else lk.GroupL2(a)
    a_bin = a if kind == "l1" else a / np.sqrt(2.0)
    sm = tight_solve(lk.Problem(X, y, pen, loss="multinomial"))
    sb = lk.Problem(X, y, lk.L1(a_bin), loss="logistic").solve("cd", tol=1e-12,
                                                                max_iter=10 ** 6)
    assert sm.objective == pytest.approx(sb.objective, rel=1e-9)
    W = np.asarray(sm.coef, float)
    v = np.asarray(sb.coef, float)
    assert np.count_nonzero(v) < v.size  # the L1 term is active
    np.testing.assert_allclose(sm.predict(X)[:, 1], expit(X @ v + sb.intercept), atol=1e-6)
    np.testing.assert_allclose(W[:, 1] - W[:, 0], v, atol=1e-5 * max(1.0, np.abs(v).max()))
    if kind == "grouprows":
        np.testing.assert_allclose(W[:, 0], -W[:, 1], atol=1e-7)


def test_two_classes_alpha_max_is_binary_alpha_max():
    X, y = binary_data(seed=45)
    am = lk.Problem(X, y, lk.L1(1.0), loss="multinomial").alpha_max()
    ab = lk.Problem(X, y, lk.L1(1.0), loss="logistic").alpha_max()
    assert am == pytest.approx(ab, rel=1e-10)
