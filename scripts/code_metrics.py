"""Code-shape figures for a checkout: lines per package, import edges between packages, module import cycles,
functions over 60 lines. Used for the layering issue's before/after table.

    .venv/bin/python scripts/code_metrics.py [ROOT]

ROOT defaults to this checkout; point it at another worktree (e.g. an older commit) to compare."""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import grimp

PACKAGES = ("fagui", "crawlers", "indexer", "clearance", "portal")
# The packages of the design's layers (finer than top-level names where one name holds several layers).
LAYERS = ("fagui.cli", "portal", "clearance", "indexer.search", "indexer.ingest", "indexer.store", "crawlers", "fagui")


# Where each module of the layout before the layering issue (commit 800b10e) went, so an older checkout is
# measured against the same layers.
OLD_LAYOUT = {
    "crawlers.records": "fagui.records",
    "crawlers.normalise": "fagui.normalise",
    "indexer.vocabulary": "fagui.vocabulary",
    "indexer.abbreviations": "fagui.abbreviations",
    "fagui.click_zh": "fagui.cli.click_zh",
    "fagui.serve": "fagui.cli.serve",
    "fagui.worker": "fagui.cli.worker",
    "fagui.check": "fagui.cli.check",
    "crawlers.commands": "fagui.cli.crawl",
    "fagui.cli": "fagui.cli.commands",
    "indexer.models": "indexer.store.models",
    "indexer.db": "indexer.store.db",
    "indexer.migrate": "indexer.store.migrate",
    "indexer.migrations": "indexer.store.migrations",
    "indexer.store": "indexer.store.upsert",
    "indexer.bodies": "indexer.store.bodies",
    "indexer.status": "indexer.store.status",
    "indexer.outbox": "indexer.store.outbox",
    "indexer.citations": "indexer.store.citations",
    "indexer.documents": "indexer.store.documents",
    "indexer.exports": "indexer.store.downloads",
    "indexer.dump": "indexer.store.dump",
    "indexer.inspection": "indexer.store.inspection",
    "indexer.app_store": "indexer.store.app_store",
    "indexer.ingest": "indexer.ingest.pipeline",
    "indexer.analysis": "indexer.search.analysis",
    "indexer.query": "indexer.search.query",
    "indexer.highlight": "indexer.search.highlight",
    "indexer.search_docs": "indexer.search.index_docs",
    "indexer.indexing": "indexer.search.indexing",
    "indexer.search": "indexer.search.service",
    "indexer.backends": "indexer.search.backends",
    "indexer.reports": "clearance.reports",
    "indexer.clearance": "clearance.rounds",
    "indexer.checklist": "clearance.checklist",
    "indexer.matching": "clearance.matching",
    "indexer.report_export": "clearance.exports",
    "indexer.svg_charts": "clearance.charts",
}


def _new_name(module: str) -> str:
    for old in sorted(OLD_LAYOUT, key=len, reverse=True):
        if module == old or module.startswith(old + "."):
            return OLD_LAYOUT[old] + module[len(old):]
    return module


def _layer(module: str, layers: tuple[str, ...]) -> str:
    for layer in layers:
        if module == layer or module.startswith(layer + "."):
            return layer
    return module.split(".")[0]


def main(root: Path) -> None:
    present = tuple(p for p in PACKAGES if (root / p / "__init__.py").exists())
    lines: Counter[str] = Counter()
    long_functions = []
    for package in present:
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            lines[package] += text.count("\n")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                    size = node.end_lineno - node.lineno + 1
                    if size > 60:
                        long_functions.append((size, f"{path.relative_to(root)}:{node.name}"))
    print("lines per package:", dict(lines), "total", sum(lines.values()))
    sys.path.insert(0, str(root))
    graph = grimp.build_graph(*present, cache_dir=None)
    modules = sorted(m for m in graph.modules if m.split(".")[0] in present)
    old = not (root / "indexer" / "store" / "__init__.py").exists()
    rename = _new_name if old else (lambda module: module)
    for title, names in (("top-level packages", present), ("layers", LAYERS)):
        edges: Counter[tuple[str, str]] = Counter()
        for importer in modules:
            for imported in graph.find_modules_directly_imported_by(importer):
                if title == "layers":
                    a, b = _layer(rename(importer), names), _layer(rename(imported), names)
                else:
                    a, b = _layer(importer, names), _layer(imported, names)
                if a != b and b.split(".")[0] in PACKAGES:
                    edges[(a, b)] += 1
        pairs = sum(1 for a, b in edges if (b, a) in edges) // 2
        print(f"import edges between {title}: {len(edges)} pairs, {sum(edges.values())} module imports, "
              f"{pairs} pairs importing each other")
        for (a, b), n in sorted(edges.items()):
            print(f"  {a} -> {b}: {n}{' <-> both ways' if (b, a) in edges else ''}")
    cycles = set()
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported in modules and graph.chain_exists(imported=module, importer=imported):
                cycles.add(tuple(sorted((module, imported))))
    print(f"module pairs on an import cycle: {len(cycles)}")
    for pair in sorted(cycles)[:20]:
        print("  ", " <-> ".join(pair))
    print(f"functions over 60 lines: {len(long_functions)}")
    for size, name in sorted(long_functions, reverse=True):
        print(f"   {size} {name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
