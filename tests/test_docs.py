"""The documentation: pages that must exist and stay in step with the code,
and (marked slow) the full Sphinx build with warnings as errors."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lassokit as lk
from lassokit.backends.registry import get_backend

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _toctree_entries(text):
    entries, inside = [], False
    for line in text.splitlines():
        if line.startswith(".. toctree::"):
            inside = True
            continue
        if inside:
            if line and not line.startswith(" "):
                inside = False
            elif line.strip() and not line.strip().startswith(":"):
                entries.append(line.strip())
    return entries


def test_every_toctree_entry_exists():
    entries = _toctree_entries((DOCS / "index.rst").read_text())
    assert {"certificate", "estimators", "benchmarks", "api"} <= set(entries)
    for entry in entries:
        if entry == "auto_examples/index":  # generated from examples/ by sphinx-gallery
            assert (ROOT / "examples" / "GALLERY_HEADER.rst").exists()
        else:
            assert (DOCS / f"{entry}.rst").exists(), entry


def test_api_reference_lists_every_public_name():
    text = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^   (\w+)$", text, flags=re.M))
    public = set(lk.__all__) - {"__version__"}
    assert public <= listed, f"missing from docs/api.rst: {sorted(public - listed)}"
    assert listed <= public | {"plot_path"}, f"not public: {sorted(listed - public)}"


def test_backends_page_names_every_backend_and_option():
    text = (DOCS / "backends.rst").read_text()
    for name in lk.available_backends(emulated=True):
        assert f'``"{name}"``' in text, f"docs/backends.rst does not describe {name!r}"
        for option in get_backend(name).options or {}:
            assert f"``{option}``" in text, f"option {option!r} of {name!r} is undocumented"


def test_benchmark_results_are_a_marked_placeholder_or_measured():
    text = (DOCS / "benchmarks.rst").read_text()
    assert ".. _benchmark-results:" in text


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    for module in ("sphinx", "sphinx_gallery", "numpydoc", "pydata_sphinx_theme", "matplotlib",
                   "sphinx-mathjax-offline"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"the docs build needs {module} (pip install 'lassokit[docs]')")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-5000:]
    assert (tmp_path / "html" / "auto_examples" / "index.html").exists()
    _check_built_html(tmp_path / "html")


def _check_built_html(html):
    """What the rendered pages must be, beyond building without warnings."""
    pages = {p: p.read_text(encoding="utf-8") for p in html.rglob("*.html")}
    # Offline: math from the build's own copy of MathJax, nothing from a CDN.
    assert (html / "_static" / "mathjax" / "tex-chtml.js").exists()
    for page, text in pages.items():
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
        remote = [s for s in scripts if s.startswith(("http:", "https:", "//"))]
        assert not remote, f"{page.relative_to(html)} loads {remote}"
    assert '_static/mathjax/tex-chtml.js"' in pages[html / "objective.html"]
    # Every in-page link of the site lands on an id (viewcode's back-links too).
    ids = {p: set(re.findall(r'\bid="([^"]+)"', t)) for p, t in pages.items()}
    broken = []
    for page, text in pages.items():
        for href in re.findall(r'href="([^"#:]*)#([^"]+)"', text):
            target = (page.parent / href[0]).resolve() if href[0] else page
            if target in ids and href[1] not in ids[target]:
                broken.append(f"{page.relative_to(html)} -> {href[0]}#{href[1]}")
    assert not broken, broken[:10]
    # No empty "Section Navigation" sidebar; no private base class shown.
    for name in ("quickstart", "estimators", "backends", "objective", "cli"):
        assert "Section Navigation" not in pages[html / f"{name}.html"], name
    assert "_LinearModelCV" not in pages[html / "gen_modules" / "lassokit.LassoCV.html"]
    assert "LinearRegressorBase" not in pages[html / "gen_modules" / "lassokit.Ridge.html"]
    # The Dask example is a page, linked from the gallery and the scaling guide.
    assert html / "auto_examples" / "plot_dask_scaling.html" in pages
    for page in ("auto_examples/index.html", "scaling.html"):
        assert "plot_dask_scaling.html" in pages[html / page], page
