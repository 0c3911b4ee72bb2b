"""Sphinx configuration for the lassokit documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the
repository root (needs the ``docs`` extra: sphinx, sphinx-gallery, numpydoc,
pydata-sphinx-theme, matplotlib). The examples in ``examples/`` are run and
rendered with their figures by sphinx-gallery.
"""

import importlib.util
import os
import re
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)  # document the working tree, installed or not
# Examples run inside this process: make them importable and headless.
os.environ["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
os.environ.setdefault("MPLBACKEND", "Agg")

import lassokit  # noqa: E402

project = "lassokit"
author = "the lassokit developers"
copyright = "the lassokit developers"
release = lassokit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
root_doc = "index"

# -- API reference ----------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True, "inherited-members": False, "show-inheritance": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()
# lassokit.distributed needs the optional Dask; without it the reference
# still documents that module (autodoc then imports it against a stand-in).
autodoc_mock_imports = [m for m in ("dask",) if importlib.util.find_spec(m) is None]


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods for metadata routing on
    # every estimator; they are scikit-learn's API, documented there.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


# -- examples ----------


def _needs_missing_package(path):
    """Whether an example imports a top-level package that is not installed."""
    import ast
    import importlib.util

    names = set()
    with open(path, encoding="utf-8") as fh:
        for node in ast.parse(fh.read()).body:
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return any(importlib.util.find_spec(n) is None for n in names)


# Examples of optional extras (e.g. Dask) are left out when the extra is missing.
_EXAMPLES = os.path.join(ROOT, "examples")
_SKIPPED = sorted(f for f in os.listdir(_EXAMPLES)
                  if f.startswith("plot_") and f.endswith(".py")
                  and _needs_missing_package(os.path.join(_EXAMPLES, f)))
# ... also the pages a build with the package left in auto_examples/.
exclude_patterns += [f"auto_examples/{f[:-3]}.rst" for f in _SKIPPED]
if _SKIPPED:
    print(f"lassokit docs: leaving out examples whose optional packages are missing: "
          f"{', '.join(_SKIPPED)}")

sphinx_gallery_conf = {
    "examples_dirs": os.path.join(ROOT, "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": "|".join([r"__init__\.py"] + [re.escape(f) for f in _SKIPPED]),
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "show_memory": False,
    # No sg_execution_times.rst pages: they would land in the source tree.
    "write_computation_times": False,
    "reference_url": {},
}

# Agg cannot show windows: examples end with plt.show() for people who run
# them by hand; that is not a problem here.
warnings.filterwarnings(
    "ignore", category=UserWarning,
    message="(FigureCanvasAgg|Matplotlib) is (currently using agg|non-interactive)",
)

# -- HTML ----------
html_theme = "pydata_sphinx_theme"
html_title = f"lassokit {release}"
html_static_path = ["_static"]
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
