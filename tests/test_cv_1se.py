"""LassoCV / ElasticNetCV: standard errors of the CV curve, the 1-SE rule, plot_cv."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sklearn.linear_model as sk  # noqa: E402
from conftest import converged_ref, make_data, sklearn_converged  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

import lassokit as lk  # noqa: E402

TIGHT = dict(tol=1e-10, max_iter=100_000)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _noisy(seed=0, n=80, p=20):
    # Noisy and weakly sparse: a flat CV curve around its minimum, so the
    # one-standard-error rule picks a clearly larger alpha.
    return make_data(n, p, seed=seed, noise=3.0)


def _by_hand(alphas, mse_path):
    """glmnet's cvm, cvsd and lambda.1se from a (n_alphas, n_folds) array."""
    k = mse_path.shape[1]
    mean = mse_path.mean(axis=1)
    se = np.sqrt(((mse_path - mean[:, None]) ** 2).sum(axis=1) / (k - 1) / k)
    i = int(np.argmin(mean))
    return se, max(a for a, m in zip(alphas, mean) if m <= mean[i] + se[i])


def test_lasso_cv_standard_errors_and_alpha_1se_by_hand():
    X, y = _noisy()
    est = lk.LassoCV(alphas=30, cv=KFold(5), **TIGHT).fit(X, y)
    se, alpha_1se = _by_hand(est.alphas_, est.mse_path_)
    assert est.mse_se_path_.shape == (30,)
    np.testing.assert_allclose(est.mse_se_path_, se, rtol=1e-12)
    assert est.alpha_1se_ == alpha_1se
    assert est.alpha_1se_ > est.alpha_  # strictly, on this flat curve
    assert est.alpha_1se_ in est.alphas_
    # The refit stays at alpha_ (scikit-learn's choice).
    ref = converged_ref(lk.Lasso(alpha=est.alpha_, **TIGHT).fit(X, y))
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)


def test_alpha_1se_from_sklearns_cv_curve():
    # scikit-learn computes the fold MSEs on the same folds; the 1-SE choice
    # made from its mse_path_ must be ours.
    X, y = _noisy(seed=3)
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    ours = lk.LassoCV(alphas=25, cv=folds, **TIGHT).fit(X, y)
    with sklearn_converged():
        ref = sk.LassoCV(alphas=25, cv=folds, tol=1e-12, max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    _, alpha_1se = _by_hand(ref.alphas_, ref.mse_path_)
    assert ours.alpha_1se_ == pytest.approx(alpha_1se, rel=1e-12)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)


def test_elastic_net_cv_uses_the_chosen_l1_ratio_row():
    X, y = _noisy(seed=1)
    ratios = [0.2, 0.6, 1.0]
    est = lk.ElasticNetCV(l1_ratio=ratios, alphas=15, cv=4, **TIGHT).fit(X, y)
    assert est.mse_path_.shape == (3, 15, 4) and est.mse_se_path_.shape == (3, 15)
    j = ratios.index(est.l1_ratio_)
    for row in range(3):
        se, _ = _by_hand(est.alphas_[row], est.mse_path_[row])
        np.testing.assert_allclose(est.mse_se_path_[row], se, rtol=1e-12)
    _, alpha_1se = _by_hand(est.alphas_[j], est.mse_path_[j])
    assert est.alpha_1se_ == alpha_1se and est.alpha_1se_ >= est.alpha_
    # Grids differ by l1_ratio (alpha_max / l1_ratio): another row's choice
    # would not even be on the chosen row's grid.
    others = [r for r in range(3) if r != j]
    assert all(not np.any(np.isclose(est.alphas_[r], alpha_1se, rtol=1e-9)) for r in others)


def test_single_split_has_no_standard_error():
    X, y = _noisy(seed=2)
    split = [next(KFold(4).split(X))]
    est = lk.LassoCV(alphas=10, cv=split).fit(X, y)
    assert np.all(np.isnan(est.mse_se_path_))
    assert est.alpha_1se_ == est.alpha_


def _vertical_lines(ax):
    out = {}
    for line in ax.get_lines():
        x = np.asarray(line.get_xdata(), dtype=float)
        if x.size == 2 and x[0] == x[1]:
            out[line.get_label()] = float(x[0])
    return out


def test_plot_cv_draws_band_and_both_choices():
    X, y = _noisy()
    est = lk.LassoCV(alphas=20, cv=5).fit(X, y)
    fig, ax = plt.subplots()
    assert lk.plot_cv(est, ax=ax) is ax
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    mean = est.mse_path_.mean(axis=1)
    verts = bands[0].get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(np.min(mean - est.mse_se_path_), rel=1e-12)
    assert verts[:, 1].max() == pytest.approx(np.max(mean + est.mse_se_path_), rel=1e-12)
    vlines = _vertical_lines(ax)
    assert len(vlines) == 2
    assert sorted(vlines.values()) == sorted([est.alpha_, est.alpha_1se_])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("alpha_ =") for t in labels)
    assert any(t.startswith("alpha_1se_ =") for t in labels)
    assert any("standard error" in t for t in labels)
    assert ax.get_xscale() == "log"
    curves = [ln for ln in ax.get_lines() if ln.get_label() == "mean over folds"]
    np.testing.assert_allclose(curves[0].get_ydata(), mean, rtol=1e-12)


def test_plot_cv_for_elastic_net_and_a_new_figure():
    X, y = _noisy(seed=1)
    est = lk.ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=8, cv=3).fit(X, y)
    plt.close("all")
    ax = lk.plot_cv(est)
    assert type(ax.figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"l1_ratio={est.l1_ratio_:g} (chosen)" in labels
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1
    assert len(_vertical_lines(ax)) == 2
    with pytest.raises(ValueError, match="fitted"):
        lk.plot_cv(lk.LassoCV())
