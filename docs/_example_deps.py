"""What an example script needs that is not installed.

Shared by ``docs/conf.py`` (such an example is a gallery page shown without
running it) and ``tests/test_examples.py`` (its smoke test is skipped), so
that both judge an example's optional packages the same way.
"""

import ast
import importlib.util


def missing_modules(path):
    """Top-level packages that the script at ``path`` imports and that are not installed."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return sorted(n for n in names if importlib.util.find_spec(n) is None)
