"""The loss layer (lassokit.losses) and its loss-generic certificate.

Each loss is checked against finite differences and Fenchel-Young, the
certificate against an independent CVXPY reference polished by Newton on
its support (so that P* is known to near machine precision), against the
least-squares certificate, and against hand-derived toys.
"""

from __future__ import annotations

import os
import pickle
import warnings
import zlib

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import xlogy

import lassokit as lk
from lassokit.losses import Huber, Logistic, Loss, Poisson, Squared, as_loss
from lassokit.losses import certificate as cert

SEED = int(os.environ.get("LK_LOSS_SEED", "0"))  # other seeds: a wider sweep by hand
LOSSES = [Squared(), Logistic(), Poisson(), Huber(1.0)]
IDS = [loss.name for loss in LOSSES]


def _target(name, z, rng):
    n = z.shape[0]
    if name == "logistic":
        y = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), 1.0, -1.0)
        y[:2] = [1.0, -1.0]
        return y
    if name == "poisson":
        y = rng.poisson(np.exp(np.clip(z, -3, 3))).astype(float)
        y[0] = max(y[0], 1.0)
        return y
    noise = rng.standard_t(2, n) if name == "huber" else rng.standard_normal(n)
    return z + noise


def _grid(loss, rng, n=400):
    """Targets and predictions away from Huber's kinks."""
    z = rng.standard_normal(n) * 3
    y = _target(loss.name, z, rng)
    z = z + rng.standard_normal(n)
    if loss.name == "huber":
        z = np.where(np.abs(np.abs(z - y) - 1.0) < 1e-3, y, z)
    return y, z


# -- the loss objects ----------------------------------------------------------
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_derivatives_match_finite_differences(loss):
    y, z = _grid(loss, np.random.default_rng(0))
    h = 1e-6 * (1 + np.abs(z))
    fd1 = (loss.value(y, z + h) - loss.value(y, z - h)) / (2 * h)
    fd2 = (loss.gradient(y, z + h) - loss.gradient(y, z - h)) / (2 * h)
    scale = 1 + np.abs(loss.gradient(y, z))
    np.testing.assert_allclose(loss.gradient(y, z), fd1, rtol=1e-6, atol=1e-7 * scale.max())
    np.testing.assert_allclose(loss.hessian(y, z), fd2, rtol=1e-5, atol=1e-6)
    assert np.all(loss.value(y, z) >= 0) and np.all(loss.hessian(y, z) >= 0)
    assert np.max(loss.hessian(y, z)) <= loss.curvature_bound()


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_conjugate_by_fenchel_young(loss):
    rng = np.random.default_rng(1)
    y, z = _grid(loss, rng)
    lo, hi = loss.dual_domain(y)
    g = loss.gradient(y, z)
    assert np.all((lo <= 0) & (0 <= hi) & (lo <= g) & (g <= hi))
    # l(z) + l*(v) >= z v everywhere in the domain, with equality at v = l'(z).
    v = np.clip(g + rng.standard_normal(y.size), lo, hi)
    assert np.all(loss.value(y, z) + loss.conjugate(y, v) >= z * v - 1e-10 * (1 + np.abs(z * v)))
    equality = loss.value(y, z) + loss.conjugate(y, g) - z * g
    np.testing.assert_allclose(equality, 0.0, atol=1e-11 * (1 + np.abs(z * g)).max())
    np.testing.assert_array_equal(loss.conjugate(y, 0 * y), 0.0)
    # The conjugate's derivative inverts the gradient; its curvature is 1 / l''.
    inner = np.abs(np.minimum(g - lo, hi - g)) > 1e-6
    yi, gi = y[inner], g[inner]
    zz = loss.conjugate_derivative(yi, gi)
    np.testing.assert_allclose(loss.gradient(yi, zz), gi, rtol=1e-8, atol=1e-10)
    h = 1e-7 * (1 + np.abs(gi))
    fd = (loss.conjugate_derivative(yi, gi + h) - loss.conjugate_derivative(yi, gi - h)) / (2 * h)
    np.testing.assert_allclose(fd * loss.hessian(yi, zz), 1.0, rtol=1e-4)
    for edge, step in ((hi, 0.5), (lo, -0.5)):
        bounded = np.isfinite(edge)
        assert np.all(np.isinf(loss.conjugate(y[bounded], edge[bounded] + step)))


def test_edges_of_the_float_range_give_no_warnings():
    z = np.array([-1e308, -1e9, -800.0, -30.0, 0.0, 30.0, 800.0, 1e9, 1e308])
    one, zero = np.ones_like(z), np.zeros_like(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = Logistic()
        for y in (one, -one):
            assert np.all(np.isfinite(log.value(y[1:-1], z[1:-1])))
            assert np.all(np.isfinite(log.gradient(y, z))) and np.all(log.hessian(y, z) >= 0)
        assert log.value(one, np.array([-1e9]))[0] == 1e9 and log.value(one, z)[-1] == 0.0
        poi = Poisson()
        assert np.isinf(poi.value(zero, z)[-3]) and np.isinf(poi.gradient(one, z)[-3])
        assert poi.value(zero, z)[0] == 0.0 and poi.value(one, z)[0] == 1e308  # e^z - z - 1
        assert np.all(Huber().value(one, z) >= 0) and np.isinf(Squared().value(one, z)[-1])


def test_poisson_keeps_its_digits_for_large_counts():
    # l = y (e^t - 1 - t), t = z - log y: the textbook form cancels 2e10 to O(1).
    y = np.array([1e9, 1e9, 7.0])
    t = np.array([3e-5, -0.2, 1e-9])
    z = np.log(y) + t
    t = z - np.log(y)  # the t the float z actually carries
    series = y * t**2 * (1 / 2 + t / 6 + t**2 / 24 + t**3 / 120)
    exact = np.where(np.abs(t) < 1e-3, series, y * (np.expm1(t) - t))
    np.testing.assert_allclose(Poisson().value(y, z), exact, rtol=1e-12)


def test_bad_targets_and_parameters_get_sentences():
    with pytest.raises(ValueError, match=r"3 distinct labels \(0, 1, 2\).*two classes"):
        Logistic().check_y([0, 1, 2, 1])
    with pytest.raises(ValueError, match="2 distinct labels"):
        Logistic().check_y([2, 5, 5])
    with pytest.raises(ValueError, match="finite"):
        Logistic().check_y([0.0, np.nan])
    np.testing.assert_array_equal(Logistic().check_y([True, False]), [1.0, -1.0])
    np.testing.assert_array_equal(Logistic().check_y([0, 1]), Logistic().check_y([-1, 1]))
    with pytest.raises(ValueError, match=r"non-negative counts.*y\[1\] = -1"):
        Poisson().check_y([1, -1, 2])
    with pytest.raises(ValueError, match="all zero"):
        Poisson().check_y([0, 0])
    for bad in (0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="delta must be a finite number > 0"):
            Huber(bad)
    with pytest.raises(TypeError, match="delta must be a real number"):
        Huber("1")
    with pytest.raises(ValueError, match="finite"):
        Squared().check_y([1.0, np.inf])
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        as_loss("hinge")
    with pytest.raises(TypeError, match=r"write Logistic\(\)"):
        as_loss(Logistic)
    with pytest.raises(TypeError, match="name"):
        as_loss(3)


def test_as_loss_identity_and_links():
    assert as_loss("Logistic") == Logistic() and as_loss("huber") == Huber(1.35)
    assert Huber(2.0) != Huber(1.0) and hash(Huber(2.0)) == hash(Huber(2.0))
    assert pickle.loads(pickle.dumps(Huber(2.0))) == Huber(2.0) and repr(Huber(2.0)) == "Huber(delta=2.0)"
    assert all(isinstance(loss, Loss) and loss.is_smooth for loss in LOSSES)
    assert np.isinf(Poisson().curvature_bound()) and Logistic().curvature_bound() == 0.25
    mu = np.array([0.1, 0.5, 0.9])
    for loss in LOSSES:
        np.testing.assert_allclose(loss.inverse_link(loss.link(mu)), mu, rtol=1e-14)


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_intercepts_minimize_the_weighted_loss(loss):
    rng = np.random.default_rng(3)
    y, z = _grid(loss, rng, n=60)
    s = rng.random(60) * 1e300
    for offset in (None, z):
        b = loss.best_intercept(y, s) if offset is None else loss.best_intercept(y, s, offset)
        zz = 0.0 if offset is None else offset

        def f(c, zz=zz):
            return np.dot(s / 1e300, loss.value(y, zz + c))

        ref = minimize_scalar(f, bracket=(b - 1, b + 1), tol=1e-12).x
        assert f(b) <= f(ref) + 1e-12 * abs(f(ref))
        # The generic bracketed Newton solve of the base class agrees with closed forms.
        assert abs(Loss.best_intercept(loss, y, s, offset) - b) <= 1e-9 * (1 + abs(b))
    assert loss.intercept_only(y, s) == loss.best_intercept(y, s)
    assert Logistic().intercept_only(np.ones(3)) == np.inf
    assert Logistic().intercept_only(np.array([1.0, -1, -1]), np.array([0.0, 1, 1])) == -np.inf
    np.testing.assert_allclose(Logistic().intercept_only(np.array([1.0, -1, -1])), np.log(0.5))
    assert Poisson().intercept_only(np.array([0.0, 3.0]), np.array([1.0, 0.0])) == -np.inf


# -- the certificate against an independent reference ---------------------------
def _textbook(name, y, z):
    """l, l', l'' by their textbook formulas (independent of lassokit; Huber delta = 1)."""
    if name == "squared":
        return 0.5 * (z - y) ** 2, z - y, np.ones_like(z)
    if name == "logistic":
        p = 1 / (1 + np.exp(-z))
        return np.logaddexp(0, -y * z), -y / (1 + np.exp(y * z)), p * (1 - p)
    if name == "poisson":
        m = np.exp(z)
        return m - y * z - (y - xlogy(y, y)), m - y, m
    r = z - y
    return np.where(np.abs(r) <= 1, r * r / 2, np.abs(r) - 0.5), np.clip(r, -1, 1), 1.0 * (np.abs(r) <= 1)


def _reference(name, X, y, s, lam, mu, fit_intercept, positive):
    """``(P*, w*, b*)``: CVXPY (Clarabel), then Newton on its support with the signs fixed.

    The polished point must keep CVXPY's signs and satisfy the optimality
    conditions on the zeros: the reference's own certificate of accuracy.
    """
    cp = pytest.importorskip("cvxpy")
    n, p = X.shape
    s = s * n / s.sum()
    w, b = cp.Variable(p, nonneg=positive), cp.Variable()
    z = X @ w + (b if fit_intercept else 0)
    loss = {"squared": 0.5 * cp.square(y - z), "logistic": cp.logistic(-cp.multiply(y, z)),
            "poisson": cp.exp(z) - cp.multiply(y, z) - (y - xlogy(y, y)),
            "huber": 0.5 * cp.huber(y - z, 1.0)}[name]  # cvxpy's huber is twice ours
    objective = cp.sum(cp.multiply(s, loss)) / n + lam @ cp.abs(w) + 0.5 * cp.sum(
        cp.multiply(mu, cp.square(w)))
    problem = cp.Problem(cp.Minimize(objective))
    for tol in (1e-11, 1e-10, 1e-9, 1e-8):  # the polish below makes up the rest
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problem.solve(solver="CLARABEL", tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol,
                          max_iter=500)
        if problem.status == "optimal":
            break
    assert problem.status == "optimal", problem.status
    w0 = np.asarray(w.value)
    S = np.flatnonzero(np.abs(w0) > 1e-6 * max(1.0, np.abs(w0).max()))
    sign = np.sign(w0[S])
    A = np.column_stack([X[:, S], np.ones(n)]) if fit_intercept else X[:, S]
    lin = np.append(lam[S] * sign, 0.0)[: A.shape[1]]
    quad = np.append(mu[S], 0.0)[: A.shape[1]]
    x = np.append(w0[S], float(b.value) if fit_intercept else 0.0)[: A.shape[1]]

    def restricted(x):
        return s @ _textbook(name, y, A @ x)[0] / n + lin @ x + 0.5 * quad @ (x * x)

    for _ in range(60):
        _, g, h = _textbook(name, y, A @ x)
        grad = A.T @ (s * g) / n + lin + quad * x
        H = (A * (s * h)[:, None]).T @ A / n + np.diag(quad) + 1e-13 * np.eye(A.shape[1])
        d = -np.linalg.solve(H, grad)
        t, f = 1.0, restricted(x)
        # Armijo, with the rounding of f as slack: near the optimum a full
        # step may "increase" f by an ulp while its gradient still shrinks.
        while restricted(x + t * d) > f + 1e-4 * t * (grad @ d) + 1e-15 * abs(f) and t > 1e-12:
            t /= 2
        x = x + t * d
        if np.abs(t * d).max() <= 1e-16 * (1 + np.abs(x).max()):
            break
    coef = np.zeros(p)
    coef[S] = x[: S.size]
    b_ref = x[-1] if fit_intercept else 0.0
    _, g, _ = _textbook(name, y, X @ coef + b_ref)
    grad = X.T @ (s * g) / n + mu * coef
    zero = np.setdiff1d(np.arange(p), S)
    excess = -grad[zero] - lam[zero] if positive else np.abs(grad[zero]) - lam[zero]
    assert np.all(np.sign(coef[S]) == sign) and np.all(excess <= 1e-8), "reference not optimal"
    value = s @ _textbook(name, y, X @ coef + b_ref)[0] / n + lam @ np.abs(coef) + 0.5 * mu @ coef**2
    return value, coef, b_ref


_KEYS = ("fit_intercept", "positive", "weights", "sparse", "free")
CONFIGS = {
    "intercept-l1": dict(zip(_KEYS, (True, False, False, False, False))),
    "enet-weights-sparse": dict(zip(_KEYS, (False, False, True, True, False))),
    "positive-unpenalized": dict(zip(_KEYS, (True, True, True, False, True))),
}


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_certificate_bounds_the_suboptimality_and_vanishes_at_the_optimum(loss, config):
    c = CONFIGS[config]
    rng = np.random.default_rng(zlib.crc32(f"{loss.name}-{config}".encode()) + SEED)
    n, p = 30, 6
    X = rng.standard_normal((n, p))
    y = _target(loss.name, X @ np.array([1.0, -0.8, 0.5, 0, 0, 0]) * 0.7, rng)
    s = rng.random(n) + 0.1 if c["weights"] else np.ones(n)
    l1 = np.ones(p)
    if c["free"]:
        l1[0] = 0.0
    amax = cert.alpha_max(loss, X, y, s, l1, fit_intercept=c["fit_intercept"],
                          positive=c["positive"])
    lam = 0.3 * amax * l1
    mu = np.where(l1 > 0, 0.1, 0.0) if config.startswith("enet") else np.zeros(p)
    P_star, w_star, b_star = _reference(loss.name, X, y, s, lam, mu, c["fit_intercept"],
                                        c["positive"])
    Xin = sp.csc_matrix(X) if c["sparse"] else X
    design = cert.prepare(loss, Xin, y, s, lam, mu, positive=c["positive"],
                          fit_intercept=c["fit_intercept"])
    at_opt = cert.certify(design, w_star)
    assert abs(at_opt.objective - P_star) <= 1e-12 * max(1.0, P_star)
    assert abs(at_opt.intercept - b_star) <= 1e-7 * (1 + abs(b_star))
    assert at_opt.rel_gap <= 1e-9
    for scale in (1e-6, 1e-4, 1e-2, 0.3, 3.0):
        w = w_star + scale * rng.standard_normal(p)
        w = np.abs(w) if c["positive"] else w
        got = cert.certify(design, w)
        assert got.dual_gap >= got.objective - P_star - 1e-12 * max(1.0, design.p0)
        assert got.dual_gap > 0
        b = got.intercept + 0.1 if c["fit_intercept"] else 0.0  # scored, and still bounded
        given = cert.certify(design, w, b)
        assert given.objective >= got.objective and given.intercept == b
        assert given.dual_gap >= given.objective - P_star - 1e-12 * max(1.0, design.p0)


def test_squared_loss_certificate_matches_the_least_squares_one():
    rng = np.random.default_rng(7)
    n, p = 40, 7
    X = rng.standard_normal((n, p))
    y = X[:, 0] * 2 + rng.standard_normal(n)
    s = rng.random(n)
    for penalty, positive in [(lk.L1(0.1), False), (lk.L1(0.1) + lk.L2(0.3), True),
                              (lk.L2(0.5), False)]:
        problem = lk.Problem(X, y, penalty, sample_weight=s, positive=positive)
        lam, mu = penalty.strengths(p)
        design = cert.prepare("squared", X, y, s, lam, mu, positive=positive)
        w_opt = problem.solve("cd", tol=1e-12).coef
        for w in (w_opt, w_opt + 0.05 * np.abs(rng.standard_normal(p)), np.zeros(p)):
            ours = cert.certify(design, w)
            assert ours.objective == pytest.approx(problem.objective(w, ours.intercept), rel=1e-13)
            assert ours.dual_gap == pytest.approx(problem.dual_gap(w), rel=1e-9, abs=1e-14)
        assert cert.alpha_max("squared", X, y, s, positive=positive) == pytest.approx(
            problem.alpha_max(), rel=1e-12)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_orthogonal_design_soft_thresholds(fit_intercept):
    # X^T X / n = I and zero column means: w* = soft(X^T y / n, lam), for
    # the squared loss and for Huber whose delta exceeds every residual.
    X = np.array([[1.0, 1], [1, -1], [-1, 1], [-1, -1]])
    y = np.array([3.0, 1.2, -0.4, -2.1])
    lam = np.array([0.5, 0.9])
    corr = X.T @ y / 4
    w_star = np.sign(corr) * np.maximum(np.abs(corr) - lam, 0)
    assert cert.alpha_max("squared", X, y, fit_intercept=fit_intercept) == np.abs(corr).max()
    for loss in (Squared(), Huber(100.0)):
        design = cert.prepare(loss, X, y, lam=lam, fit_intercept=fit_intercept)
        best = cert.certify(design, w_star)
        assert best.dual_gap <= 1e-15 and best.intercept == pytest.approx(
            y.mean() if fit_intercept else 0.0, abs=1e-15)
        for w in ([0.0, 0.0], [w_star[0] + 0.1, 0.0], [1.0, -1.0]):
            got = cert.certify(design, w)
            assert got.dual_gap >= got.objective - best.objective - 1e-15 > 0


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_separable_two_point_logistic(fit_intercept):
    # P(w) = log(1 + e^-w) + lam |w|: no unpenalized fit, an L1 fit for lam < 1/2.
    X, y = np.array([[1.0], [-1.0]]), np.array([1, 0])
    assert cert.alpha_max("logistic", X, y, fit_intercept=fit_intercept) == 0.5
    lam = 0.1
    w_star = np.log((1 - lam) / lam)
    P = lambda w: np.log1p(np.exp(-w)) + lam * abs(w)
    design = cert.prepare("logistic", X, y, lam=[lam], fit_intercept=fit_intercept)
    assert cert.certify(design, [w_star]).dual_gap <= 1e-15
    for w in (0.0, -1.0, w_star + 1e-4, 5.0, 100.0, 1e6):
        got = cert.certify(design, [w])
        assert got.objective == pytest.approx(P(w), rel=1e-14) and got.intercept == 0.0
        assert got.dual_gap >= got.objective - P(w_star) - 1e-15
    free = cert.prepare("logistic", X, y, lam=[0.0], fit_intercept=fit_intercept)
    for w in (0.0, 5.0, 30.0):  # P* = 0 is only approached: the gap is P(w) itself
        assert cert.certify(free, [w]).dual_gap == pytest.approx(np.log1p(np.exp(-w)), rel=1e-12)


def test_one_class_logistic_and_overflow_are_answered():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((6, 2))
    design = cert.prepare("logistic", X, np.ones(6), lam=[0.1, 0.1])
    assert design.b0 == np.inf and design.p0 == 0.0
    zero = cert.certify(design, [0.0, 0.0])
    assert (zero.objective, zero.intercept, zero.dual_gap, zero.rel_gap) == (0.0, np.inf, 0.0, 0.0)
    some = cert.certify(design, [1.0, 0.0])
    assert some.dual_gap == pytest.approx(0.1) and some.rel_gap == np.inf
    assert cert.alpha_max("logistic", X, np.zeros(6)) == 0.0
    poisson = cert.prepare("poisson", X, np.arange(6.0), lam=[0.1, 0.1], fit_intercept=False)
    blown = cert.certify(poisson, [1000.0, 0.0])
    assert blown.objective == np.inf and blown.dual_gap == np.inf
    pos = cert.prepare("poisson", X, np.arange(6.0), lam=[0.1, 0.1], positive=True)
    assert cert.certify(pos, [-1.0, 0.0]).dual_gap == np.inf
    with pytest.raises(ValueError, match="without intercept"):
        cert.certify(poisson, [0.0, 0.0], 1.0)


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_offsets_weights_storage_and_large_z_leave_the_certificate_alone(loss):
    rng = np.random.default_rng(9)
    n, p = 25, 4
    # On a grid of 2^-20: exact in float32, and after adding 2^30 in float64.
    X = np.round(rng.standard_normal((n, p)) * 2**20) / 2**20
    y = np.round(_target(loss.name, X[:, 0], rng) * 2**20) / 2**20
    lam = np.full(p, 0.2 * cert.alpha_max(loss, X, y))
    w = 0.3 * rng.standard_normal(p)
    base = cert.certify(cert.prepare(loss, X, y, lam=lam), w)
    s = rng.random(n)
    weighted = cert.certify(cert.prepare(loss, X, y, s, lam=lam), w)
    for other in (cert.prepare(loss, X, y, s * 1e300, lam=lam),
                  cert.prepare(loss, sp.csr_matrix(X), y, s, lam=lam),
                  cert.prepare(loss, X.astype(np.float32), y, s, lam=lam)):
        got = cert.certify(other, w)
        assert got.objective == pytest.approx(weighted.objective, rel=1e-12)
        assert got.dual_gap == pytest.approx(weighted.dual_gap, rel=1e-9, abs=1e-13)
    s[:5] = 0.0  # zero weights drop their samples
    dropped = cert.certify(cert.prepare(loss, X[5:], y[5:], s[5:], lam=lam), w)
    kept = cert.certify(cert.prepare(loss, X, y, s, lam=lam), w)
    assert kept.dual_gap == pytest.approx(dropped.dual_gap, rel=1e-9, abs=1e-13)
    # Columns with a mean of 1e9 (the intercept absorbs it), and targets with
    # an offset of 1e9 for the shift-invariant losses: the same certificate.
    shift = 2.0**30 if loss.shift_invariant else 0.0
    offset = cert.certify(cert.prepare(loss, X + 2.0**30, y + shift, lam=lam), w)
    assert offset.objective == pytest.approx(base.objective, rel=1e-9)
    assert offset.dual_gap == pytest.approx(base.dual_gap, rel=1e-6, abs=1e-12)
    assert offset.intercept == pytest.approx(base.intercept + shift - 2.0**30 * w.sum(), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = cert.certify(cert.prepare(loss, X * 1e150, y, lam=lam), w)
    assert huge.dual_gap >= 0 and not np.isnan(huge.dual_gap)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_alpha_max_is_where_zero_becomes_optimal(loss, positive):
    rng = np.random.default_rng(10)
    X = rng.standard_normal((30, 5))
    y = _target(loss.name, X @ np.array([1.0, -1, 0.5, 0, 0]), rng)
    s, v1 = rng.random(30), np.array([1.0, 2.0, 0.5, 1.0, 1.0])
    amax = cert.alpha_max(loss, X, y, s, v1, positive=positive)
    at = cert.prepare(loss, X, y, s, amax * v1, positive=positive)
    below = cert.prepare(loss, X, y, s, 0.99 * amax * v1, positive=positive)
    assert cert.certify(at, np.zeros(5)).rel_gap <= 1e-14
    assert cert.certify(below, np.zeros(5)).rel_gap > 1e-6
    if loss.name == "logistic" and not positive:  # Friedman et al. (2010), with weights
        sn = s * 30 / s.sum()
        p1 = sn[y > 0].sum() / 30
        assert amax == pytest.approx(np.max(np.abs(X.T @ (sn * ((y + 1) / 2 - p1))) / 30 / v1),
                                     rel=1e-12)
