"""No module of dulun imports itself in a circle, not even through an import inside a function.

`lint-imports` (pyproject [tool.importlinter]) checks the layers and forbids cycles between
siblings of a package; a package and one of its own modules importing each other (say
pipeline.digest -> pipeline.digest.build -> pipeline.digest) is neither, so this test looks
at the whole module graph. grimp, import-linter's graph library, reads every import
statement, also those inside functions.
"""
from __future__ import annotations

import grimp

PACKAGES = ("core", "store", "nlp", "crawlers", "pipeline", "dulun")


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
                    break
                if target in on_stack:
                    low[module] = min(low[module], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        cycles.append(sorted(group))
    return cycles


def test_the_project_imports_nothing_in_a_circle():
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert import_cycles(graph) == []


def test_the_check_sees_a_circle_made_by_an_import_inside_a_function():
    graph = grimp.ImportGraph()
    for name in ("app", "app.cli", "app.commands", "app.ops"):
        graph.add_module(name)
    graph.add_import(importer="app.cli", imported="app.commands")
    graph.add_import(importer="app.commands", imported="app.ops")
    graph.add_import(importer="app.ops", imported="app.cli")  # the lazy `from app.cli import state`
    assert import_cycles(graph) == [["app.cli", "app.commands", "app.ops"]]
