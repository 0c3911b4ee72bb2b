"""lk.lasso_path / lk.enet_path: scikit-learn's paths, intercepts, names, labelled plots."""

from __future__ import annotations

import io
import struct

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sklearn.linear_model as sk  # noqa: E402
from conftest import (  # noqa: E402
    assert_coef_close,
    converged_ref,
    make_data,
    sklearn_converged,
)

import lassokit as lk  # noqa: E402

#: Paths certified to rel. gap 1e-12 against scikit-learn run to tol=1e-14.
SK_COEF_TOL = 1e-6


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_lasso_path_matches_sklearns_default_grid_and_coefs():
    # make_data's X has non-zero column means and y an offset of 1.7: without
    # an intercept, both libraries solve the same uncentred problem.
    X, y = make_data(40, 15, seed=3)
    ours = lk.lasso_path(X, y, fit_intercept=False, n_alphas=12, tol=1e-12)
    with sklearn_converged():
        alphas, coefs, _ = sk.lasso_path(X, y, alphas=12, tol=1e-14, max_iter=1_000_000)
    np.testing.assert_allclose(ours.alphas, alphas, rtol=1e-12)
    assert_coef_close(ours.coefs, coefs, SK_COEF_TOL)
    assert np.all(ours.intercepts == 0)
    assert ours.converged.all() and ours.l1_ratio == 1.0


def test_enet_path_matches_sklearn_with_positive():
    X, y = make_data(40, 15, seed=4)
    grid = np.geomspace(2.0, 0.01, 9)
    ours = lk.enet_path(X, y, l1_ratio=0.3, alphas=grid[::-1], fit_intercept=False,
                        positive=True, tol=1e-12)
    with sklearn_converged():
        _, coefs, _ = sk.enet_path(X, y, l1_ratio=0.3, alphas=grid, positive=True, tol=1e-14,
                                   max_iter=1_000_000)
    assert ours.converged.all()
    np.testing.assert_array_equal(ours.alphas, grid)  # sorted decreasing
    assert_coef_close(ours.coefs, coefs, SK_COEF_TOL)
    assert np.all(ours.coefs >= 0) and ours.l1_ratio == pytest.approx(0.3)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_intercept_is_fitted_unpenalized_like_sklearns_estimators(l1_ratio):
    X, y = make_data(50, 10, seed=6)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, size=50)
    if l1_ratio == 1.0:
        ours = lk.lasso_path(X, y, n_alphas=6, eps=1e-2, sample_weight=sw, tol=1e-12)
    else:
        ours = lk.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=6, eps=1e-2, sample_weight=sw,
                            tol=1e-12)
    assert ours.converged.all()
    for k in (1, 3, 5):
        with sklearn_converged():
            ref = sk.ElasticNet(alpha=ours.alphas[k], l1_ratio=l1_ratio, tol=1e-14,
                                max_iter=1_000_000).fit(X, y, sample_weight=sw)
        assert_coef_close(ours.coefs[:, k], ref.coef_, SK_COEF_TOL)
        assert ours.intercepts[k] == pytest.approx(ref.intercept_, rel=1e-6, abs=1e-6)
        # The unpenalized intercept is the weighted mean residual of the slopes.
        resid = y - X @ ours.coefs[:, k]
        assert ours.intercepts[k] == pytest.approx(np.average(resid, weights=sw), rel=1e-9)
    # The first strength is alpha_max of the centred problem: everything zero,
    # intercept the weighted mean of y (an uncentred alpha_max would differ).
    assert ours.support_sizes()[0] == 0
    assert ours.intercepts[0] == pytest.approx(np.average(y, weights=sw), rel=1e-12)
    assert ours.support_sizes()[1] > 0


def test_lasso_path_is_lk_path_of_the_stated_problem():
    X, y = make_data(30, 8, seed=1)
    weights = np.array([0.0, 1, 1, 2, 1, 1, 0.5, 1])
    ours = lk.lasso_path(X, y, n_alphas=5, weights=weights, tol=1e-10)
    ref = converged_ref(lk.path(lk.Problem(X, y, lk.L1(1.0, weights)), n_alphas=5, tol=1e-10))
    np.testing.assert_array_equal(ours.alphas, ref.alphas)
    np.testing.assert_allclose(ours.coefs, ref.coefs, rtol=0, atol=1e-12)
    assert ours.coefs[0, 0] != 0  # unpenalized feature is in from the start


def test_path_given_arrays_says_what_to_call():
    X, y = make_data(20, 4)
    with pytest.raises(TypeError, match=r"lk\.lasso_path\(X, y"):
        lk.path(X, y)
    with pytest.raises(TypeError, match="problem.*lassokit.Problem.*ndarray"):
        lk.path(X)
    with pytest.raises(TypeError, match="one positional argument"):
        lk.path(lk.lasso(X, y, 1.0), 10)
    with pytest.raises(TypeError, match="n_alphas=50"):
        lk.lasso_path(X, y, alphas=50)
    with pytest.raises(ValueError, match="l1_ratio"):
        lk.enet_path(X, y, l1_ratio=1.5)
    with pytest.raises(ValueError, match="alphas="):
        lk.enet_path(X, y, l1_ratio=0.0)  # ridge: no default grid


def test_feature_names_from_pandas_only_when_all_strings():
    pd = pytest.importorskip("pandas")
    X, y = make_data(25, 4, seed=2)
    named = pd.DataFrame(X, columns=["age", "bmi", "bp", "s1"])
    p = lk.lasso_path(named, y, n_alphas=4)
    assert list(p.feature_names) == ["age", "bmi", "bp", "s1"]
    # Same solutions (a DataFrame's array may have another memory layout).
    np.testing.assert_allclose(p.coefs, lk.lasso_path(X, y, n_alphas=4).coefs, atol=1e-9)
    assert lk.lasso_path(pd.DataFrame(X), y, n_alphas=4).feature_names is None
    assert lk.enet_path(X, y, n_alphas=4).feature_names is None
    assert lk.path(lk.lasso(X, y, 1.0), n_alphas=4).feature_names is None


def test_entry_order_starts_with_the_largest_correlation():
    X, y = make_data(60, 20, seed=8)
    p = lk.lasso_path(X, y, n_alphas=60, tol=1e-10)
    order = p.entry_order()
    assert sorted(order) == list(range(20))
    # At alpha_max the first feature to enter has the largest |x_j^T (y - ybar)|.
    corr = np.abs((X - X.mean(0)).T @ (y - y.mean()))
    assert order[0] == int(np.argmax(corr))
    entry = [int(np.flatnonzero(p.coefs[j])[0]) if np.any(p.coefs[j]) else 60 for j in order]
    assert entry == sorted(entry)


def _legend_labels(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def test_plot_legend_names_every_feature_up_to_15():
    pd = pytest.importorskip("pandas")
    X, y = make_data(40, 6, seed=1)
    names = [f"gene_{j}" for j in range(6)]
    p = lk.lasso_path(pd.DataFrame(X, columns=names), y, n_alphas=15)
    fig, ax = plt.subplots()
    assert p.plot(ax=ax) is ax
    assert _legend_labels(ax) == names
    assert len(ax.get_lines()) == 6 and ax.get_xscale() == "log"
    lo, hi = ax.get_xlim()
    assert lo > hi  # alpha decreases from left to right
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), p.alphas)
    unnamed = lk.lasso_path(X, y, n_alphas=15)
    fig, ax = plt.subplots()
    unnamed.plot(ax=ax)
    assert _legend_labels(ax) == [f"x{j}" for j in range(6)]


def test_plot_labels_first_entering_features_when_many():
    X, y = make_data(60, 40, seed=9)
    p = lk.lasso_path(X, y, n_alphas=30)
    fig, ax = plt.subplots()
    p.plot(ax=ax, n_labels=5)
    expected = [f"x{j}" for j in p.entry_order()[:5]]
    assert _legend_labels(ax) == expected
    lines = ax.get_lines()
    assert len(lines) == 40  # every feature drawn, in feature order, five labelled
    for j, line in enumerate(lines):
        np.testing.assert_array_equal(line.get_ydata(), p.coefs[j])
    grey = [j for j, line in enumerate(lines) if line.get_color() == "0.75"]
    assert sorted(set(range(40)) - set(grey)) == sorted(p.entry_order()[:5])
    assert "first 5 of 40" in ax.get_legend().get_title().get_text()
    fig, ax = plt.subplots()
    p.plot(ax=ax)
    assert len(_legend_labels(ax)) == 10


def test_plot_against_l1_norm():
    X, y = make_data(40, 7, seed=2)
    p = lk.lasso_path(X, y, n_alphas=20)
    fig, ax = plt.subplots()
    p.plot(ax=ax, xaxis="l1_norm")
    l1 = np.abs(p.coefs).sum(axis=0)
    np.testing.assert_allclose(p.l1_norms(), l1, rtol=1e-12)
    for line in ax.get_lines():
        np.testing.assert_allclose(line.get_xdata(), l1, rtol=1e-12)
    assert ax.get_xscale() == "linear" and "L1 norm" in ax.get_xlabel()
    assert p.support_sizes()[0] == 0 and l1[0] < 1e-12 * l1[-1]
    assert np.all(np.diff(l1) >= -1e-9)  # grows as alpha decreases
    with pytest.raises(ValueError, match="xaxis"):
        p.plot(ax=ax, xaxis="lambda")


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def test_saved_figure_has_its_full_size_and_nothing_outside():
    X, y = make_data(40, 12, seed=5)
    p = lk.lasso_path(X, y, n_alphas=20)
    plt.close("all")
    ax = p.plot()  # no figure open: lassokit makes one with constrained layout
    fig = ax.figure
    assert type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    fig.set_size_inches(5, 3.5)
    fig.set_dpi(80)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    assert _png_size(buf.getvalue()) == (400, 280)
    # After the layout ran (at savefig), legend and labels lie inside the figure.
    box = fig.bbox
    renderer = fig.canvas.get_renderer()
    for artist in (ax.get_legend(), ax.xaxis.label, ax.yaxis.label, ax.title):
        ext = artist.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, artist
        assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, artist
