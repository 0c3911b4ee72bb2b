"""Sphinx configuration for the lassokit documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the
repository root (needs the ``docs`` extra: sphinx, sphinx-gallery, numpydoc,
pydata-sphinx-theme, matplotlib, sphinx-mathjax-offline, and Dask for the
Dask example). The examples in ``examples/`` are run and rendered with their
figures by sphinx-gallery. The pages load nothing from the network: MathJax
is served from the build's own ``_static``.
"""

import importlib.util
import os
import re
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)  # document the working tree, installed or not
sys.path.insert(0, HERE)  # _example_deps, shared with tests/test_examples.py
# Examples run inside this process: make them importable and headless.
os.environ["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
os.environ.setdefault("MPLBACKEND", "Agg")

from _example_deps import missing_modules  # noqa: E402

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
    # Copies MathJax into _static/mathjax, so that math renders offline.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
# The copy of MathJax that sphinx-mathjax-offline puts in _static (never a CDN).
mathjax_path = "mathjax/tex-chtml.js"
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


def _public_bases(app, name, obj, options, bases):
    # "Bases: _LinearModelCV" names a class no reader can import or look up:
    # a private lassokit base is replaced by its own bases, recursively, so
    # the estimators show scikit-learn's RegressorMixin and BaseEstimator.
    def public(cls):
        if cls is object:
            return []
        if cls.__module__.startswith("lassokit") and getattr(lassokit, cls.__name__, None) \
                is not cls:
            return [b for base in cls.__bases__ for b in public(base)]
        return [cls]

    shown = []
    for cls in (b for base in list(bases) for b in public(base)):
        if cls not in shown:
            shown.append(cls)
    bases[:] = shown or [object]  # autodoc would print an empty "Bases:"


def _backlink_anchors(app, doctree):
    # sphinx.ext.viewcode links each highlighted source block back to
    # "#<module>.<name>", with the module of the *first* page that documented
    # anything from that source file: lassokit.backends.registry holds both
    # lassokit.available_backends and lassokit.backends.get_backend, so the
    # back-link of get_backend pointed at "#lassokit.get_backend", which no
    # page has. The documented object gets that id too.
    from sphinx import addnodes

    modules = getattr(app.env, "_viewcode_modules", {})
    for sig in doctree.findall(addnodes.desc_signature):
        module, fullname = sig.get("module"), sig.get("fullname")
        if not module or not fullname:
            continue
        obj = sys.modules.get(module)
        for part in fullname.split("."):
            obj = getattr(obj, part, None)
        source = getattr(obj, "__module__", None)
        entry = modules.get(source)
        if not entry or entry is False:
            continue
        alias = f"{entry[3]}.{fullname}"
        if alias not in sig["ids"]:
            sig["ids"].append(alias)


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("source-read", _note_unrun_example)
    # After viewcode's own doctree-read handler (priority 500) has recorded
    # which module names the source file's back-links.
    app.connect("doctree-read", _backlink_anchors, priority=600)


# -- examples ----------


# An example of an optional extra (Dask) whose packages are missing is still
# a page of the gallery, shown without running it (sphinx-gallery renders
# the files that filename_pattern does not match) and saying so at its top;
# the "docs" extra installs the packages, so a full build runs it.
_EXAMPLES = os.path.join(ROOT, "examples")
_UNRUN = {f: missing_modules(os.path.join(_EXAMPLES, f))
          for f in sorted(os.listdir(_EXAMPLES)) if f.startswith("plot_") and f.endswith(".py")}
_UNRUN = {f: missing for f, missing in _UNRUN.items() if missing}
if _UNRUN:
    print("lassokit docs: shown without running them (packages missing): "
          + "; ".join(f"{f} ({', '.join(m)})" for f, m in _UNRUN.items()))
_RUN_PATTERN = "/plot_" + (
    "(?!" + "|".join(re.escape(f[len("plot_"):]) for f in _UNRUN) + ")" if _UNRUN else "")


def _note_unrun_example(app, docname, source):
    """Say at the top of an example's page that it was not run, and what it needs."""
    script = docname.rsplit("/", 1)[-1] + ".py"
    if not docname.startswith("auto_examples/") or script not in _UNRUN:
        return
    needs = ", ".join(_UNRUN[script])
    lines = source[0].split("\n")
    for i in range(1, len(lines)):
        if lines[i] and set(lines[i]) == {"="} and lines[i - 1].strip():  # the title
            lines[i + 1:i + 1] = [
                "", ".. note::", "",
                f"   This example was not run when this page was built ({needs} not "
                "installed), so its output and figures are missing. Build the docs with "
                "``pip install \".[docs]\"``, which installs them, or run the script.", ""]
            break
    source[0] = "\n".join(lines)


sphinx_gallery_conf = {
    "examples_dirs": os.path.join(ROOT, "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": _RUN_PATTERN,
    "ignore_pattern": r"__init__\.py",
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
# The left sidebar ("Section Navigation") lists a page's sub-pages; a top
# page without any (quickstart, estimators, ...) would show it empty.
html_sidebars = {
    name[:-4]: [] for name in os.listdir(HERE)
    if name.endswith(".rst")
    and "toctree" not in open(os.path.join(HERE, name), encoding="utf-8").read()
}
