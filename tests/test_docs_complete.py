"""The documentation stands alone: the API reference in ``docs/api.rst`` is the
complete contract, nothing cites a file outside the project, page titles fit
the top navigation, and gallery figures use a constrained layout."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import lassokit as lk

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API = (DOCS / "api.rst").read_text(encoding="utf-8")
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))

# Generated while the docs are built (sphinx-gallery, autosummary, HTML).
GENERATED = {"_build", "auto_examples", "gen_modules", "__pycache__"}


def _documented_names():
    """Names listed in the autosummary tables of api.rst (last dotted component)."""
    names = set()
    for entry in re.findall(r"^   ~?([\w.]+)$", API, flags=re.M):
        names.add(entry)
        names.add(entry.rsplit(".", 1)[-1])
    return names


def _module_all(relpath):
    """``__all__`` of a lassokit module, read without importing it (optional extras)."""
    tree = ast.parse((ROOT / "lassokit" / relpath).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"lassokit/{relpath} has no __all__")


def test_every_top_level_name_is_in_the_api_reference():
    listed = _documented_names()
    missing = sorted(n for n in lk.__all__ if n != "__version__" and n not in listed)
    assert not missing, f"missing from the autosummary tables of docs/api.rst: {missing}"
    assert "__version__" in API


@pytest.mark.parametrize("module, relpath", [
    ("lassokit.backends", "backends/__init__.py"),
    ("lassokit.estimators", "estimators/__init__.py"),
    ("lassokit.distributed", "distributed/__init__.py"),
    ("lassokit.matrix", "matrix/__init__.py"),
])
def test_every_public_name_of_a_subpackage_is_in_the_api_reference(module, relpath):
    listed = _documented_names()
    missing = sorted(n for n in _module_all(relpath)
                     if n not in listed and f"{module}.{n}" not in listed)
    assert not missing, f"public names of {module} missing from docs/api.rst: {missing}"


def test_api_reference_states_the_contract():
    # The objective with its parts, the tolerance, the solution fields, the
    # backend protocol and the estimators' extras are stated in prose.
    for term in [
        r"\frac{1}{2n} \sum_{i=1}^n s_i", "v_{1j}", "v_{2j}", "fit_intercept", "positive=True",
        r"\mathrm{tol} \cdot P(0, b_0)", "relative duality gap",
        "``converged``", "``status``", "``support``", "``solve_time``", '``"inaccurate"``',
        "supports(problem)", "solve(problem, *, tol, max_iter, warm_start, **options)",
        "open_path", "PathSession", "exact_sums", "``dual_points``", "register_backend",
        "to_dict()", "alpha_1se_", "mse_se_path_", "criterion_", "noise_variance_",
        "alpha / S", "lasso_path", "enet_path", "plot_cv",
    ]:
        assert term in API, f"docs/api.rst does not state {term!r}"


def _project_text_files():
    yield ROOT / "README.md"
    for top in ("docs", "lassokit", "examples", "benchmarks"):
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or GENERATED & set(path.relative_to(ROOT).parts):
                continue
            if path.suffix in {".pyc", ".png", ".svg", ".pdf", ".npz", ".so"}:
                continue
            yield path


def test_nothing_cites_a_file_outside_the_project():
    # The contract lives in the project's own docs; users never see "API.md".
    offenders = []
    for path in _project_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "API.md" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"these files cite API.md: {offenders}"


def _page_title(text):
    lines = text.splitlines()
    for above, line in zip(lines, lines[1:]):
        if above.strip() and line and set(line) == {"="} and len(line) >= len(above.strip()):
            return above.strip()
    return None


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.rst")), ids=lambda p: p.stem)
def test_page_titles_fit_the_top_navigation(page):
    title = _page_title(page.read_text(encoding="utf-8"))
    assert title, f"{page.name} has no title"
    assert len(title) <= 20, f"the title of {page.name} is long for the navigation bar: {title!r}"


def _figure_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in {"subplots", "figure", "subplot_mosaic"}:
                yield node


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_gallery_figures_use_a_constrained_layout(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    for call in _figure_calls(tree):
        layout = [k.value for k in call.keywords if k.arg == "layout"]
        assert layout and isinstance(layout[0], ast.Constant) and layout[0].value == "constrained", (
            f"{script.name}, line {call.lineno}: create figures with layout='constrained'"
        )
    assert "tight_layout" not in script.read_text(encoding="utf-8")


def test_the_classic_introductory_example_is_reproduced():
    text = (ROOT / "examples" / "plot_lasso_intro.py").read_text(encoding="utf-8")
    for piece in [
        "from lassokit import Lasso", "np.random.rand(100, 5)",
        "y = 3 * X[:, 0] + 2 * X[:, 1] + noise * 0.2",
        "train_test_split(X, y, test_size=0.2, random_state=42)", "Lasso(alpha=0.1)",
        "linear_model.Lasso(alpha=0.1)", "np.logspace(-3, 1, 50)",
        "lk.Ridge(", "lk.ElasticNet(",
    ]:
        assert piece in text, f"plot_lasso_intro.py lacks {piece!r}"
