"""What the documentation says is true (issue 22, item 4), checked without a build.

The rendered pages (offline math, anchors, sidebars, base classes, the Dask
example's page) are checked after the full build in ``test_docs.py``
(``--runslow``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lassokit as lk
from lassokit import estimators

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _read(name):
    return (DOCS / name).read_text(encoding="utf-8")


def test_the_estimator_checks_claim_matches_the_test():
    text = " ".join(_read("estimators.rst").split())
    assert "All five" not in text and "one documented exception" not in text
    assert "All sixteen estimators" in text and ":class:`~lassokit.LassoIC`" in text
    assert ":class:`~lassokit.RidgeCV`" in text
    assert len(estimators.__all__) == 16
    checks = (ROOT / "tests" / "test_sklearn_checks.py").read_text(encoding="utf-8")
    # test_sklearn_checks.test_every_estimator_is_checked compares the classes
    # themselves; this only ties the docs' count to that file.
    for name in estimators.__all__:
        assert re.search(rf"lk\.{name}\b", checks), f"{name} is not in the check_estimator test"


def test_the_quick_start_installs_from_the_source():
    text = _read("quickstart.rst")
    # lassokit is not on the package index: no bare "pip install lassokit".
    assert not re.search(r"pip install lassokit\b", text)
    assert "pip install ." in text and "pyproject.toml" in text


def test_the_compile_figure_is_measured_with_its_command():
    text = _read("benchmarks.rst")
    assert "29 s" not in text
    assert ("NUMBA_CACHE_DIR=$(mktemp -d) python -c \"import time,numpy as np,lassokit as lk; "
            "X=np.random.rand(100,1000)") in text


def test_the_docs_extra_serves_math_offline_and_runs_the_dask_example():
    # Read as text: tomllib is Python 3.11+, lassokit supports 3.10.
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = re.search(r"^docs = \[(.*?)\]$", pyproject, flags=re.M | re.S).group(1)
    names = {re.split(r"[\[<>=]", r, maxsplit=1)[0] for r in re.findall(r'"([^"]+)"', extra)}
    assert {"sphinx-mathjax-offline", "dask", "distributed"} <= names
    conf = _read("conf.py")
    assert '"sphinx-mathjax-offline"' in conf
    assert re.search(r'^mathjax_path = "mathjax/', conf, flags=re.M)


def test_the_dask_example_is_linked_and_never_silently_dropped():
    assert ":ref:`sphx_glr_auto_examples_plot_dask_scaling.py`" in _read("scaling.rst")
    conf = _read("conf.py")
    assert "exclude_patterns +=" not in conf  # no page left out of the build


def _backend_description(name):
    """The description under the ``backend`` entry of an estimator's Parameters."""
    doc = getattr(lk, name).__doc__
    params = doc.split("Parameters\n    ----------\n", 1)[1].split("\n    Attributes", 1)[0]
    lines = params.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith(" " * 8) and re.search(r"\bbackend\b", line):
            text = []
            for more in lines[i + 1:]:
                if not more.startswith(" " * 8):
                    break
                text.append(more.strip())
            return " ".join(text)
    return ""


#: Estimators without a ``backend`` parameter: RidgeCV solves every alpha in
#: closed form from one factorization (API.md section 10: scikit-learn's parameters).
NO_BACKEND = {"RidgeCV"}


def test_only_the_documented_estimators_lack_a_backend_parameter():
    lacking = {name for name in estimators.__all__
               if "backend" not in getattr(lk, name)().get_params()}
    assert lacking == NO_BACKEND
    assert "no ``backend`` parameter" in " ".join(_read("estimators.rst").split())


@pytest.mark.parametrize("name", sorted(set(estimators.__all__) - NO_BACKEND))
def test_every_estimator_describes_its_backend_parameter(name):
    text = _backend_description(name)
    shared = re.fullmatch(r"As for :class:`~?(?:lassokit\.)?(\w+)`\.", text)
    if shared:  # e.g. ElasticNetCV's entry shares LassoCV's
        text = _backend_description(shared.group(1))
    assert ":func:`lassokit.available_backends`" in text, (name, text)
    assert '``"auto"``' in text and "backend" in text, (name, text)
