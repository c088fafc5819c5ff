"""budget.selectors reads, budget.tables builds: the split stays where it was made."""

from __future__ import annotations

import ast
import inspect

from budget import selectors, tables


def _attribute_names(module) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}


def test_the_table_builders_run_no_query_of_their_own():
    # Every query goes through a selector, so its count is stated in one place.
    used = _attribute_names(tables)
    assert not used & {"objects", "filter", "values_list", "raw", "extra"}


def test_the_selectors_build_no_table():
    assert not [
        name
        for name, value in vars(selectors).items()
        if inspect.isclass(value)
        and value.__module__ == selectors.__name__
        and name.endswith(("Row", "Table", "Summary"))
    ]
