#!/usr/bin/env python
"""Run scikit-learn's own coordinate-descent tests against lassokit's estimators.

    python tests/sklearn_cd/run_sklearn_cd_tests.py [--keep DIR] [--raw] [-- PYTEST_ARGS...]

What it does, every run, from the scikit-learn installed in this environment
(nothing of scikit-learn's test code is kept in this repository):

1. copies ``sklearn/linear_model/tests/test_coordinate_descent.py`` and
   ``test_sparse_coordinate_descent.py`` into a fresh temporary folder;
2. rewrites each module's ``from sklearn.linear_model import (...)`` so that
   the names lassokit provides with scikit-learn's contract come from
   lassokit instead (:data:`FROM_LASSOKIT`); ``lasso_path`` / ``enet_path``
   come from ``_shims.py`` (lassokit's path functions in scikit-learn's
   calling convention: tuple result, no intercept, int ``alphas`` = grid
   size). Everything else (``LassoLarsCV``, ``lars_path``,
   ``LinearRegression``, private modules) stays scikit-learn's: a reference
   or something lassokit does not provide;
3. writes a ``conftest.py`` that provides scikit-learn's ``global_random_seed``
   fixture (same ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` convention), checks at
   collection that the rewritten names really are lassokit's, and marks the
   tests listed in ``differences.py``: ``skip`` for tests of scikit-learn's
   private internals, which lassokit does not have (they would test
   scikit-learn), strict ``xfail`` for documented, deliberate differences
   (a strict xfail that passes fails the run: the table cannot go stale
   silently), each with its reason. An entry that matches no collected test
   is an error too;
4. runs pytest on the folder and exits with pytest's status.

``--raw`` runs without the marks of ``differences.py`` (to triage afresh);
``--keep DIR`` writes the rewritten modules to ``DIR`` instead of a temporary
folder. Arguments after ``--`` go to pytest (e.g. ``-k lasso -x``).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The scikit-learn modules run, relative to ``sklearn/linear_model/tests``.
MODULES = ("test_coordinate_descent.py", "test_sparse_coordinate_descent.py")

#: Names imported from ``sklearn.linear_model`` that are replaced by lassokit's.
FROM_LASSOKIT = ("ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "MultiTaskElasticNet",
                 "MultiTaskElasticNetCV", "MultiTaskLasso", "MultiTaskLassoCV", "Ridge")
#: Path functions: lassokit's, through the calling-convention shims of ``_shims.py``.
FROM_SHIMS = ("enet_path", "lasso_path")

CONFTEST = '''\
"""Written by lassokit's tests/sklearn_cd/run_sklearn_cd_tests.py (do not edit)."""
import os
import re
import sys

import pytest

sys.path.insert(0, {here!r})
from differences import DIFFERENCES  # noqa: E402

APPLY_MARKS = {apply_marks!r}
SUBSTITUTED = {substituted!r}


def pytest_generate_tests(metafunc):
    # scikit-learn's own convention (sklearn/conftest.py): 42 by default,
    # SKLEARN_TESTS_GLOBAL_RANDOM_SEED=N, A-B or "all" (0..99).
    if "global_random_seed" not in metafunc.fixturenames:
        return
    var = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
    if var is None:
        seeds = [42]
    elif var == "all":
        seeds = list(range(100))
    elif "-" in var:
        lo, hi = var.split("-")
        seeds = list(range(int(lo), int(hi) + 1))
    else:
        seeds = [int(var)]
    metafunc.parametrize("global_random_seed", seeds)


def _check_substitution(items):
    import lassokit as lk
    seen = set()
    for item in items:
        mod = item.module
        if mod.__name__ in seen:
            continue
        seen.add(mod.__name__)
        for name in SUBSTITUTED.get(os.path.basename(mod.__file__), ()):
            obj = getattr(mod, name)
            origin = getattr(obj, "__module__", "")
            if not (origin.startswith("lassokit") or origin == "_shims"):
                raise pytest.UsageError(
                    f"{{mod.__name__}}.{{name}} comes from {{origin!r}}, not lassokit: "
                    "the import rewrite did not take"
                )


def pytest_collection_modifyitems(config, items):
    _check_substitution(items)
    if not APPLY_MARKS:
        return
    used = set()
    for item in items:
        module = os.path.basename(item.fspath)
        for key, diff in enumerate(DIFFERENCES):
            if diff.module not in (None, module) or not re.fullmatch(diff.test, item.name):
                continue
            used.add(key)
            if diff.kind == "skip":
                item.add_marker(pytest.mark.skip(reason=diff.label()))
            else:
                item.add_marker(pytest.mark.xfail(reason=diff.label(), strict=True,
                                                  raises=diff.raises))
            break
    stale = [d for k, d in enumerate(DIFFERENCES) if k not in used]
    if stale and not config.getoption("keyword") and not config.getoption("markexpr"):
        raise pytest.UsageError(
            "differences.py entries that match no collected test (stale?): "
            + "; ".join(f"{{d.module}}::{{d.test}}" for d in stale)
        )
'''

PYTEST_INI = """\
[pytest]
addopts = -p no:cacheprovider
xfail_strict = true
filterwarnings =
    error::RuntimeWarning:lassokit.*
"""


def sklearn_tests_dir():
    import sklearn

    return Path(sklearn.__file__).resolve().parent / "linear_model" / "tests"


def rewrite_imports(source, filename):
    """Replace the lassokit-provided names of ``from sklearn.linear_model import``.

    Returns ``(new_source, substituted_names)``. Only top-level ``ImportFrom``
    statements of ``sklearn.linear_model`` are touched; the statement is
    regenerated with the remaining names and followed by imports from
    lassokit and from the shims.
    """
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    edits = []
    substituted = []
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and node.module == "sklearn.linear_model"
                and node.level == 0):
            continue
        keep, ours, shims = [], [], []
        for alias in node.names:
            if alias.asname is not None and alias.name in FROM_LASSOKIT + FROM_SHIMS:
                raise SystemExit(f"{filename}: aliased import {alias.name} as {alias.asname}")
            if alias.name in FROM_LASSOKIT:
                ours.append(alias.name)
            elif alias.name in FROM_SHIMS:
                shims.append(alias.name)
            else:
                keep.append(alias.name if alias.asname is None
                            else f"{alias.name} as {alias.asname}")
        if not ours and not shims:
            continue
        new = ["# lassokit harness: the estimators under test come from lassokit\n"]
        if keep:
            new.append(f"from sklearn.linear_model import {', '.join(keep)}\n")
        if ours:
            new.append(f"from lassokit import {', '.join(ours)}\n")
        if shims:
            new.append(f"from _shims import {', '.join(shims)}\n")
        edits.append((node.lineno - 1, node.end_lineno, new))
        substituted += ours + shims
    for start, stop, new in sorted(edits, reverse=True):
        lines[start:stop] = new
    return "".join(lines), substituted


def prepare(dest, apply_marks=True):
    src_dir = sklearn_tests_dir()
    substituted = {}
    for name in MODULES:
        source = (src_dir / name).read_text()
        new, names = rewrite_imports(source, name)
        if not names:
            raise SystemExit(f"{name}: no scikit-learn estimator import found to rewrite")
        (dest / name).write_text(new)
        substituted[name] = names
    shutil.copy(HERE / "_shims.py", dest / "_shims.py")
    (dest / "conftest.py").write_text(
        CONFTEST.format(here=str(HERE), apply_marks=apply_marks, substituted=substituted)
    )
    (dest / "pytest.ini").write_text(PYTEST_INI)
    return substituted


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="write the rewritten modules here")
    parser.add_argument("--raw", action="store_true",
                        help="ignore differences.py (no skip / xfail marks)")
    args = parser.parse_args(argv)
    import sklearn

    if args.keep:
        dest = Path(args.keep).resolve()
        dest.mkdir(parents=True, exist_ok=True)
    else:
        dest = Path(tempfile.mkdtemp(prefix="lassokit-sklearn-cd-"))
    try:
        substituted = prepare(dest, apply_marks=not args.raw)
        print(f"scikit-learn {sklearn.__version__} tests from {sklearn_tests_dir()}")
        for name, names in substituted.items():
            print(f"  {name}: {', '.join(names)} from lassokit")
        cmd = [sys.executable, "-m", "pytest", str(dest), "-q", "-rfEsxX",
               "--rootdir", str(dest), "-c", str(dest / "pytest.ini"), *extra]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(dest), str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        code = subprocess.call(cmd, cwd=dest, env=env)
        if not args.raw:
            print("(xfailed: documented, deliberate differences; skipped: tests of "
                  "scikit-learn's private internals; reasons in "
                  "tests/sklearn_cd/differences.py)")
        return code
    finally:
        if not args.keep:
            shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
