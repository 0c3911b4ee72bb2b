"""Small things a newcomer hit (issue 22, item 5).

Penalties scale with ``*``; ``plot_cv`` draws scikit-learn's own CV
estimators and keeps its legend off the curves; on the command line ``--tol``
has one meaning, ``--exclude`` drops columns, and ``predict`` with its
arguments swapped says which comes first.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from test_cli import assert_one_line_error, run

import lassokit as lk
from lassokit import cli

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

# -- 2 * lk.L1(0.1) ----------


@pytest.mark.parametrize("factor", [2, 2.5, 0, np.float64(3.0), np.int64(4), np.float32(0.5)])
def test_a_penalty_times_a_number_is_scaled(factor):
    pen = lk.L1(0.1, weights=[1.0, 2.0]) + lk.L2(0.3)
    assert factor * pen == pen.scaled(factor)
    assert pen * factor == pen.scaled(factor)
    assert isinstance(factor * pen, lk.Penalty)


def test_scaling_composes_with_addition():
    assert 2 * lk.L1(0.1) + 3 * lk.L2(0.5) == lk.L1(0.2) + lk.L2(1.5)
    assert (2 * lk.L1(0.1)).l1 == pytest.approx(0.2)


@pytest.mark.parametrize("bad", [True, "2", None, [2.0], np.array([1.0, 2.0]), 1 + 2j,
                                 lk.L2(1.0)])
def test_a_penalty_times_anything_else_is_a_type_error(bad):
    for product in (lambda: bad * lk.L1(0.1), lambda: lk.L1(0.1) * bad):
        with pytest.raises(TypeError, match="multiplied by a number"):
            product()


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), -np.inf])
def test_a_negative_or_infinite_factor_is_a_value_error(bad):
    for product in (lambda: bad * lk.L1(0.1), lambda: lk.L1(0.1) * bad):
        with pytest.raises(ValueError, match="factor multiplying a penalty"):
            product()


# -- plot_cv ----------


def _cv_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((80, 6))
    y = X @ np.array([2.0, -1.0, 0.0, 0.0, 0.5, 0.0]) + rng.standard_normal(80)
    return X, y


def _drawn(ax):
    """The vertical lines' x, the band's y-range and the legend texts."""
    vlines = sorted(float(ln.get_xdata()[0]) for ln in ax.get_lines()
                    if len(ln.get_xdata()) == 2 and ln.get_xdata()[0] == ln.get_xdata()[1])
    band = [c for c in ax.collections if isinstance(c, PolyCollection)]
    verts = band[0].get_paths()[0].vertices[:, 1]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    return vlines, (verts.min(), verts.max()), labels


def test_plot_cv_draws_scikit_learns_lassocv_as_lassokits():
    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import KFold

    X, y = _cv_data()
    folds = KFold(5, shuffle=True, random_state=0)
    sk = LassoCV(alphas=20, cv=folds, tol=1e-10, max_iter=100_000).fit(X, y)
    ours = lk.LassoCV(alphas=20, cv=folds, tol=1e-10).fit(X, y)
    assert sk.alpha_ == pytest.approx(ours.alpha_, rel=1e-9)
    fig, (a, b) = plt.subplots(1, 2)
    assert lk.plot_cv(sk, ax=a) is a
    lk.plot_cv(ours, ax=b)
    (sk_lines, sk_band, sk_labels), (our_lines, our_band, _) = _drawn(a), _drawn(b)
    np.testing.assert_allclose(sk_lines, our_lines, rtol=1e-9)
    np.testing.assert_allclose(sk_band, our_band, rtol=1e-6)
    assert any(t.startswith("alpha_1se_ =") for t in sk_labels)
    plt.close(fig)


def test_plot_cv_draws_scikit_learns_elasticnetcv():
    from sklearn.linear_model import ElasticNetCV

    X, y = _cv_data(1)
    est = ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=8, cv=3).fit(X, y)
    fig, ax = plt.subplots()
    lk.plot_cv(est, ax=ax)
    vlines, _, labels = _drawn(ax)
    assert f"l1_ratio={est.l1_ratio_:g} (chosen)" in labels
    assert len(vlines) == 2 and est.alpha_ == pytest.approx(vlines[0])
    assert vlines[1] >= est.alpha_  # alpha_1se_
    plt.close(fig)


@pytest.mark.parametrize("bad, hint", [
    (lk.Lasso(), "pass a fitted LassoCV or ElasticNetCV"),
    ("estimator", "pass a fitted LassoCV or ElasticNetCV"),
    (lk.LassoCV(), "call fit first"),
])
def test_plot_cv_says_what_it_needs(bad, hint):
    with pytest.raises(ValueError, match=hint):
        lk.plot_cv(bad)


@pytest.mark.parametrize("ratios", [[0.1, 0.5, 0.7, 0.9, 0.95, 1.0], 1.0])
def test_plot_cv_legend_stays_off_the_curves(ratios):
    X, y = _cv_data(2)
    est = (lk.LassoCV(cv=3, alphas=20) if ratios == 1.0 else
           lk.ElasticNetCV(l1_ratio=ratios, alphas=20, cv=3)).fit(X, y)
    plt.close("all")
    ax = lk.plot_cv(est)
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    axes = ax.get_window_extent()
    assert legend.x0 >= axes.x1  # beside the Axes, never over a curve
    assert legend.x1 <= fig.bbox.x1 + 1  # and not cut off by the figure
    plt.close(fig)


# -- the command line ----------


def _write(tmp_path, n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ np.array([1.5, -2.0, 0.0]) + 0.1 * rng.standard_normal(n)
    path = tmp_path / "data.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "a", "b", "c", "y"])
        for i, (row, t) in enumerate(zip(X, y)):
            w.writerow([i, *map(repr, row.tolist()), repr(float(t))])
    return str(path), X, y


def _fit_excluding_id(tmp_path, capsys, tol):
    """``lassokit fit ... --exclude id`` on the test data; the saved model and the data."""
    data, X, y = _write(tmp_path)
    out_json = tmp_path / "m.json"
    code, _, err = run(["fit", data, "-t", "y", "-a", "0.05", "--tol", tol,
                         "--exclude", "id", "-o", str(out_json)], capsys)
    assert code == 0, err
    return json.loads(out_json.read_text()), X, y, data, out_json


def test_exclude_drops_columns_from_the_features(tmp_path, capsys):
    model, X, y, data, out_json = _fit_excluding_id(tmp_path, capsys, "1e-10")
    assert model["features"] == ["a", "b", "c"]
    ref = lk.lasso(X, y, 0.05).solve(tol=1e-12)
    np.testing.assert_allclose(model["coef"], ref.coef, atol=1e-6)
    # Repeated and comma-separated, with --features too.
    code, _, err = run(["fit", data, "-t", "y", "-a", "0.05", "--features", "id,a,b,c",
                         "--exclude", "id,c", "--exclude", "b", "-o", str(out_json)], capsys)
    assert code == 0, err
    assert json.loads(out_json.read_text())["features"] == ["a"]


@pytest.mark.parametrize("command", [
    ["path", "--n-alphas", "5"], ["verify", "-a", "0.05"], ["fit", "--cv", "3"],
])
def test_exclude_works_wherever_features_are_chosen(tmp_path, capsys, command):
    data, _, _ = _write(tmp_path)
    code, out, err = run([command[0], data, "-t", "y", "--exclude", "id", *command[1:]],
                          capsys)
    assert code == 0, err
    assert "x 3 features" in out


def test_exclude_refuses_unknown_columns_and_excluding_everything(tmp_path, capsys):
    data, _, _ = _write(tmp_path)
    code, _, err = run(["fit", data, "-t", "y", "-a", "1", "--exclude", "idd"], capsys)
    line = assert_one_line_error(code, err, "fit")
    assert "--exclude" in line and "'idd'" in line
    code, _, err = run(["fit", data, "-t", "y", "-a", "1", "--exclude", "id,a,b,c"], capsys)
    assert "--exclude leaves no feature column" in assert_one_line_error(code, err, "fit")


def _verify_json(tmp_path, capsys, option):
    """``lassokit verify ... OPTION 1e-5 --json -`` on the test data succeeds and
    reports ``tol`` 1e-5; returns the data file and stderr."""
    data, _, _ = _write(tmp_path)
    code, out, err = run(["verify", data, "-t", "y", "-a", "0.05", "--exclude", "id",
                          option, "1e-5", "--json", "-"], capsys)
    assert code == 0, err
    assert json.loads(out)["tol"] == 1e-5
    return data, err


def test_verify_tolerance_is_rtol(tmp_path, capsys):
    _, err = _verify_json(tmp_path, capsys, "--rtol")
    assert "warning" not in err
    help_text = _verify_help(capsys)
    assert "--rtol" in help_text and "relative objective difference" in help_text
    assert "--tol" not in help_text


def _verify_help(capsys):
    assert cli.main(["verify", "--help"]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_verify_tol_still_works_with_a_deprecation_warning(tmp_path, capsys):
    data, err = _verify_json(tmp_path, capsys, "--tol")
    assert "warning: --tol is deprecated in verify" in err and "use --rtol" in err
    code, _, err = run(["verify", data, "-t", "y", "-a", "0.05", "--tol", "1e-5",
                         "--rtol", "1e-5"], capsys)
    assert "give --rtol only" in assert_one_line_error(code, err, "verify")


def test_fit_tol_is_still_the_duality_gap(tmp_path, capsys):
    cert = _fit_excluding_id(tmp_path, capsys, "1e-9")[0]["certificate"]
    assert cert["tol"] == 1e-9 and cert["rel_gap"] <= 1e-9


def test_predict_with_swapped_arguments_says_the_order(tmp_path, capsys):
    data, _, _ = _write(tmp_path)
    model = str(tmp_path / "model.json")
    assert run(["fit", data, "-t", "y", "-a", "0.05", "--exclude", "id", "-o", model],
                capsys)[0] == 0
    code, _, err = run(["predict", data, model], capsys)
    line = assert_one_line_error(code, err, "predict")
    assert "MODEL then DATA" in line and f"lassokit predict {model} {data}" in line
    # Two data files: no right order to show, but still which comes first.
    code, _, err = run(["predict", data, data], capsys)
    assert "MODEL then DATA" in assert_one_line_error(code, err, "predict")
    # A model file that is not JSON, whatever its name, gets the hint too.
    odd = tmp_path / "table.dat"
    odd.write_text("a,b\n1,2\n")
    code, _, err = run(["predict", str(odd), data], capsys)
    line = assert_one_line_error(code, err, "predict")
    assert "invalid JSON" in line and "MODEL then DATA" in line
    # The right order still works.
    code, out, err = run(["predict", model, data], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "prediction"


def test_path_of_a_problem_on_a_dataframe_keeps_the_column_names():
    # lk.path(lk.Problem(df, y, ...)).feature_names was None.
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.standard_normal((30, 3)), columns=["age", "bmi", "bp"])
    y = rng.standard_normal(30)
    pr = lk.Problem(df, y, lk.L1(0.1))
    assert list(pr.feature_names) == ["age", "bmi", "bp"]
    assert list(lk.path(pr, n_alphas=3).feature_names) == ["age", "bmi", "bp"]
    assert list(lk.path(pr.replace(positive=True), n_alphas=3).feature_names) == \
        ["age", "bmi", "bp"]
    assert lk.Problem(df.to_numpy(), y, lk.L1(0.1)).feature_names is None
