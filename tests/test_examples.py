"""Every script in examples/ runs to the end, headless (a smoke test each).

Each runs in its own process, as a user would run it, from a scratch
directory so that nothing it writes lands in the repository.
"""

from __future__ import annotations

import ast
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
#: The packages a script imports that are not installed (optional extras):
#: the same judgement as docs/conf.py's, which shows such an example unrun.
missing_modules = runpy.run_path(str(ROOT / "docs" / "_example_deps.py"))["missing_modules"]


def test_there_are_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_has_a_gallery_title(script):
    # sphinx-gallery takes the title from the module docstring: a line
    # underlined with '=' right at its start.
    doc = ast.get_docstring(ast.parse(script.read_text()))
    assert doc, f"{script.name} has no docstring"
    lines = doc.strip().splitlines()
    assert len(lines) >= 3 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0])


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    missing = missing_modules(script)
    if missing:
        pytest.skip(f"{script.name} needs {', '.join(missing)} (an optional extra)")
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr


def test_missing_optional_package_is_detected(tmp_path):
    script = tmp_path / "plot_x.py"
    script.write_text("import numpy as np\nfrom no_such_package_xyz.sub import thing\n")
    assert missing_modules(script) == ["no_such_package_xyz"]
