"""``lassokit demo``: the whole library on scikit-learn's diabetes data, in seconds."""

from __future__ import annotations

import numpy as np

from .common import EXIT_CHECK_FAILED, EXIT_OK
from .output import check_writable
from .path import save_plot
from .progress import Progress, progress_enabled
from .text import fmt, table
from .verify import warm_up

# Strengths in lassokit's objective on the diabetes data,
# whose columns have unit norm: alpha_max of the Lasso is about 2.15.
_MODELS = (
    ("Lasso", "lasso", dict(alpha=0.1)),
    ("Elastic Net", "elastic_net", dict(alpha=0.02, l1_ratio=0.9)),
    ("Ridge", "ridge", dict(alpha=0.001)),
)


def _describe(maker, kw, n_samples):
    text = ", ".join(f"{k}={fmt(v)}" for k, v in kw.items())
    if maker == "ridge":
        # Name the scale: scikit-learn's Ridge(alpha) is lassokit's ridge with alpha / n.
        sk_alpha = fmt(kw["alpha"] * n_samples)
        text += f" in lassokit's 1/(2n) scale = scikit-learn's Ridge(alpha={sk_alpha})"
    return text


def backends_line():
    """``available backends: ...``, naming any left out as emulated and why."""
    import lassokit as lk

    from ..backends.registry import get_backend

    names = lk.available_backends()
    line = f"available backends: {', '.join(names)}"
    # "gpu" without a CUDA device is not listed as a GPU: say so, not nothing.
    left_out = [f"{n} ({get_backend(n).emulated()})"
                for n in lk.available_backends(emulated=True) if n not in names]
    if left_out:
        line += f"; left out: {', '.join(left_out)}"
    return line


def run_demo(args):
    """``lassokit demo``."""
    from sklearn.datasets import load_diabetes

    import lassokit as lk

    check_writable(args.plot, "--plot")
    data = load_diabetes()
    X, y, names = data.data, data.target, list(data.feature_names)
    show = progress_enabled(args.progress)
    print(f"lassokit {lk.__version__} demo: scikit-learn's diabetes data, "
          f"{X.shape[0]} samples x {X.shape[1]} features")
    print(backends_line())
    print("objective: 1/(2n) ||y - Xw - b||^2 + alpha*l1_ratio*||w||_1 "
          "+ alpha*(1-l1_ratio)/2*||w||^2")
    all_ok, solutions = True, []
    with Progress("demo", total=len(_MODELS) + 1, enabled=show) as bar:
        for title, maker, kw in _MODELS:
            bar.update(0, f"verifying {title}")
            problem = getattr(lk, maker)(X, y, **kw)
            warm_up(problem, None, args.tol)  # the table's times exclude numba compiling
            report = lk.verify(problem, tol=args.tol)
            solutions.append(problem.solve("auto", tol=args.tol))
            all_ok &= report.ok
            _emit(bar, f"\n== {title} ({_describe(maker, kw, X.shape[0])}): every capable "
                  "backend vs CVXPY ==")
            _emit(bar, str(report))
            bar.update(1)
        bar.update(0, "Lasso path")
        path = None
        if callable(getattr(lk, "path", None)):
            path = lk.path(lk.lasso(X, y, 1.0), backend="auto", tol=args.tol)
        bar.update(1)

    rows = [(name, *(fmt(float(s.coef[j]), 5) for s in solutions))
            for j, name in enumerate(names)]
    rows.append(("(intercept)", *(fmt(s.intercept, 6) for s in solutions)))
    rows.append(("backend (auto)", *(s.backend for s in solutions)))
    rows.append(("relative gap", *(f"{s.rel_gap:.1e}" for s in solutions)))
    print("\n== Coefficients ==")
    print(table(rows, ("feature", *(t for t, _, _ in _MODELS))))

    if path is None:
        print("\n(no coefficient path: lk.path is not available in this lassokit)")
    else:
        alphas = np.asarray(path.alphas)
        save_plot(path, args.plot, title="Lasso coefficient path, diabetes data", labels=names)
        print(f"\nLasso coefficient path ({alphas.size} alphas, {fmt(alphas[0], 4)} down to "
              f"{fmt(alphas[-1], 4)}) written to {args.plot}")
    print(f"every backend agrees with the CVXPY reference (tol={args.tol:g}): "
          f"{'yes' if all_ok else 'NO'}")
    return EXIT_OK if all_ok else EXIT_CHECK_FAILED


def _emit(bar, text):
    # Print between progress redraws so the bar never overwrites a table line.
    if bar.enabled:
        bar.stream.write("\r" + " " * 79 + "\r")
    print(text, flush=True)
