"""What the documentation says about losses is true (issue 23), checked without a build.

The pages state the contract in full (users never see anything else), so
their claims are checked here against the code: the backends' losses
column against their capabilities, the loss interface against the ``Loss``
class, and the closed forms of the certificate page (``P(0, b0)``,
``alpha_max``, the worked example, the estimators' ``C`` mapping) against
what lassokit computes.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.special import xlogy

import lassokit as lk
from lassokit.backends import registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _read(name):
    return (DOCS / name).read_text(encoding="utf-8")


def _flat(name):
    return " ".join(_read(name).split())


# -- the pages state what the code does ----------


def _losses_column():
    """``{backend: losses cell}`` from the list-table of docs/backends.rst."""
    text = _read("backends.rst")
    table = text.split(".. list-table::", 1)[1].split("\nCVXPY solver options", 1)[0]
    rows = re.split(r"\n   \* - ", table)[2:]  # after the options and the header row
    cells = {}
    for row in rows:
        name = re.match(r'``"(\w+)"``', row).group(1)
        items = re.split(r"\n     - ", row)
        cells[name] = " ".join(items[3].split())
    return cells


def test_the_backends_table_states_each_backends_losses():
    cells = _losses_column()
    for name, backend in registry._REGISTRY.items():
        losses = backend.capabilities.losses
        want = "every loss" if losses is None else ", ".join(losses)
        assert cells.get(name) == want, (name, cells.get(name), want)


def _loss_interface():
    """The methods a loss must implement: those ``Loss`` leaves unimplemented."""
    names = []
    for name, member in vars(lk.Loss).items():
        if (callable(member) and not name.startswith("_")
                and "raise NotImplementedError" in inspect.getsource(member)):
            names.append(name)
    return names


def test_adding_a_loss_names_every_method_and_the_file():
    text = _flat("losses.rst")
    assert "lassokit/losses/squared_hinge.py" in text and "SquaredHinge(Loss)" in text
    for name in _loss_interface():
        assert f"``{name}(" in text, f"docs/losses.rst does not say to implement {name}"
    api = _flat("api.rst")
    for name in _loss_interface():
        assert f"``{name}``" in api, f"docs/api.rst does not list the loss method {name}"


def test_every_loss_is_on_the_user_pages():
    for page in ("losses.rst", "api.rst", "cli.rst"):
        text = _flat(page)
        for name in ("squared", "logistic", "poisson", "huber"):
            assert name in text, (page, name)
    losses = _flat("losses.rst")
    for cls in ("lk.Squared()", "lk.Logistic()", "lk.Poisson()", "lk.Huber(delta=1.35)"):
        assert cls in losses
    assert "--loss" in _flat("cli.rst") and "--delta" in _flat("cli.rst")


def test_the_certificate_page_derives_every_conjugate():
    text = _flat("certificate.rst")
    for formula in [
        r"\sum_i s_i \theta_i = 0",                                 # the intercept
        r"\ell^*(y, \theta) = \theta y + \tfrac12 \theta^2",        # squared, Huber
        r"a \log a + (1 - a)\log(1 - a)",                           # logistic
        r"m\log m - y\log y - \theta",                              # Poisson
        r"|\theta| \le \delta",                                     # Huber's domain
        r"\alpha_{\max} = \max\Big(0,",
    ]:
        assert formula in text, formula


def test_the_estimators_page_states_the_c_mapping():
    for page in ("estimators.rst", "api.rst"):
        assert r"\alpha = \frac{1}{C \sum_i s_i}" in _flat(page), page
    text = _flat("estimators.rst")
    assert "LogisticRegressionCV" in text and "C_1se_" in text and "PoissonRegressor" in text
    assert "linear probability model" in text  # Lasso on a 0/1 target


def test_the_gallery_has_the_logistic_example():
    script = (ROOT / "examples" / "plot_logistic_path.py").read_text(encoding="utf-8")
    for piece in ("load_breast_cancer", "StandardScaler", "lk.logistic(", "lk.path(",
                  "lk.LogisticRegressionCV(", "lk.plot_cv(", "rel_gap"):
        assert piece in script, piece


# -- the closed forms of the pages are what lassokit computes ----------


def _data(seed=0, n=60, p=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    labels = (X[:, 0] + rng.standard_normal(n) > 0.3).astype(float)
    counts = rng.poisson(np.exp(0.4 * X[:, 1] + 0.5)).astype(float)
    sw = rng.uniform(0.5, 2.0, n)
    return X, labels, counts, sw


def _null(problem):
    """``P(0, b0)`` as the certificate scales the relative gap."""
    cert = problem.certify(np.zeros(problem.n_features))
    return cert.dual_gap / cert.rel_gap


def test_p0_of_each_loss_is_the_documented_null_model():
    X, labels, counts, sw = _data()
    s = sw * sw.size / sw.sum()
    p = np.sum(s * labels) / s.sum()
    entropy = -p * np.log(p) - (1 - p) * np.log(1 - p)
    problem = lk.logistic(X, labels, 0.05, sample_weight=sw)
    assert _null(problem) == pytest.approx(entropy, rel=1e-10)
    no_b = lk.logistic(X, labels, 0.05, fit_intercept=False)
    assert _null(no_b) == pytest.approx(np.log(2.0), rel=1e-10)
    ybar = np.sum(s * counts) / s.sum()
    half_dev = np.mean(s * (xlogy(counts, counts) - counts * np.log(ybar)))
    problem = lk.Problem(X, counts, lk.L1(0.05), loss="poisson", sample_weight=sw)
    assert _null(problem) == pytest.approx(half_dev, rel=1e-10)


def test_alpha_max_of_each_loss_is_the_documented_formula():
    X, labels, counts, sw = _data(1)
    s = sw * sw.size / sw.sum()
    n = X.shape[0]
    p = np.sum(s * labels) / s.sum()
    want = np.max(np.abs(X.T @ (s * (labels - p)))) / n  # (y + 1)/2 - p with y = +-1
    assert lk.logistic(X, labels, 1.0, sample_weight=sw).alpha_max() == pytest.approx(
        want, rel=1e-10)
    pm = 2 * labels - 1
    want = np.max(np.abs(X.T @ pm)) / (2 * n)
    assert lk.logistic(X, labels, 1.0, fit_intercept=False).alpha_max() == pytest.approx(
        want, rel=1e-10)
    ybar = np.sum(s * counts) / s.sum()
    want = np.max(np.abs(X.T @ (s * (counts - ybar)))) / n
    problem = lk.Problem(X, counts, lk.L1(1.0), loss="poisson", sample_weight=sw)
    assert problem.alpha_max() == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize("lam", [0.05, 0.2, 0.45])
def test_the_worked_example(lam):
    # x = (1, -1), y = (+1, -1), no intercept: P(w) = log(1 + exp(-w)) + lam |w|.
    problem = lk.logistic(np.array([[1.0], [-1.0]]), np.array([1, 0]), lam,
                          fit_intercept=False)
    assert problem.alpha_max() == pytest.approx(0.5, rel=1e-12)
    w = np.array([np.log((1 - lam) / lam)])
    assert problem.objective(w) == pytest.approx(np.log1p(np.exp(-w[0])) + lam * w[0],
                                                 rel=1e-12)
    assert problem.dual_gap(w) <= 1e-14
    assert problem.dual_gap(w * 0.9) >= problem.objective(w * 0.9) - problem.objective(w)


def test_the_c_mapping_of_logistic_regression():
    X, labels, _, sw = _data(2)
    C = 0.3
    clf = lk.LogisticRegression(C=C, l1_ratio=1.0, tol=1e-10).fit(X, labels, sample_weight=sw)
    ref = lk.logistic(X, labels, 1.0 / (C * sw.sum()), sample_weight=sw).solve(tol=1e-10)
    np.testing.assert_allclose(clf.coef_[0], ref.coef, atol=1e-6)
    assert clf.intercept_[0] == pytest.approx(ref.intercept, abs=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], ref.predict(X), atol=1e-6)


def test_poisson_regressor_alpha_is_the_problems():
    X, _, counts, _ = _data(3)
    reg = lk.PoissonRegressor(alpha=0.1, l1_ratio=0.5, tol=1e-10).fit(X, counts)
    ref = lk.Problem(X, counts, lk.L1(0.05) + lk.L2(0.05), loss="poisson").solve(tol=1e-10)
    np.testing.assert_allclose(reg.coef_, ref.coef, atol=1e-6)
    np.testing.assert_allclose(reg.predict(X), ref.predict(X), rtol=1e-6)
