"""The import structure of ``src/clustermap``, read from the ``ast`` of every module (function-local imports
included): no cycle between files or between subpackages, the layers of ``docs/ARCHITECTURE.md`` respected, no
``importlib`` of the package's own modules, a docstring on every public function and class.

The checks are plain functions over an import graph, so that the tests below also run them on small hand-made
graphs and show that each one can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "clustermap"

#: the layers, lowest first; a module may import its own layer and those below it, never one above.
#: ``base`` is what every layer may use. The packages named are the second component of the module name.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "base",
        frozenset(
            {
                "_version",
                "errors",
                "settings",
                "provenance",
                "schema",
                "tables",
                "engines",
                "years",
                "columns",
                "csv_safety",
                "exports",
            }
        ),
    ),
    ("sources", frozenset({"sources"})),
    # classifications and regions are data that feed the loaders and the engine (DESIGN.md § 3)
    ("reference", frozenset({"classifications", "definitions", "geometry", "regions"})),
    ("loaders", frozenset({"loaders"})),
    ("warehouse", frozenset({"warehouse"})),
    ("engine", frozenset({"indicators", "methodology", "methodologies", "mapping", "imputation"})),
    ("results", frozenset({"jobs", "api", ""})),  # "" is the package root (the Python API)
    ("analyses", frozenset({"analyses", "organisations", "complexity"})),
    ("interfaces", frozenset({"cli", "web", "reports"})),
)
#: imports that the layers allow but the design forbids: (importer prefix, imported prefix, why)
FORBIDDEN = (("clustermap.analyses", "clustermap.jobs", "analyses read results; the interfaces run the job"),)
#: the one import that runs against the layers, and why it stays for now: harmonising a panel across NUTS
#: versions (or summing them to coarser levels) applies the engine's suppression policy to the cells before they
#: move (``regions.suppression``; the way out is for the job to apply the policy first and hand a filled panel).
EXCEPTIONS = frozenset({("clustermap.regions.suppression", "clustermap.indicators")})


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line`` of ``source``'s file."""

    source: str
    target: str
    line: int


def module_names(src: Path = SRC) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` file of the package (``pkg/__init__.py`` is ``pkg``)."""
    out = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest known module that ``name`` (a module, or a name inside one) lies in."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, tree: ast.AST, modules: Mapping[str, Path], is_package: bool) -> list[Edge]:
    """Every import of the package's own modules in ``tree`` (anywhere in the file, relative ones resolved)."""
    package = module if is_package else module.rpartition(".")[0]
    edges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                full = ".".join([*base, node.module] if node.module else base)
            else:
                full = node.module or ""
            targets = [f"{full}.{a.name}" for a in node.names]
        else:
            continue
        for name in targets:
            if name == ROOT or name.startswith(ROOT + "."):
                target = _resolve(name, modules)
                if target is not None and target != module:
                    edges.append(Edge(module, target, node.lineno))
    return edges


def import_graph(src: Path = SRC) -> list[Edge]:
    """The imports between the package's modules."""
    modules = module_names(src)
    edges = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges += imports_of(module, tree, modules, path.name == "__init__.py")
    return edges


def subpackage(module: str) -> str:
    """``clustermap.x.y`` → ``clustermap.x`` (the unit the layers and the subpackage cycles are about)."""
    return ".".join(module.split(".")[:2])


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    adj: dict[str, set[str]] = {}
    for a, b in edges:
        if a != b:
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(adj[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(adj):
        if v not in index:
            visit(v)
    return out


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of the layer ``module`` belongs to."""
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else ""
    for i, (_, members) in enumerate(LAYERS):
        if key in members:
            return i
    raise KeyError(f"{module} is in no layer of tests/test_architecture.py::LAYERS; add it")


def layer_violations(edges: Iterable[Edge]) -> list[str]:
    """Imports from a lower layer to a higher one, and the :data:`FORBIDDEN` ones."""
    bad = []
    for e in edges:
        if (e.source, e.target) in EXCEPTIONS:
            continue
        if layer_of(e.target) > layer_of(e.source):
            bad.append(
                f"{e.source}:{e.line} imports {e.target}: layer {LAYERS[layer_of(e.source)][0]} "
                f"may not import layer {LAYERS[layer_of(e.target)][0]}"
            )
        for source, target, why in FORBIDDEN:
            if e.source.startswith(source) and e.target.startswith(target):
                bad.append(f"{e.source}:{e.line} imports {e.target}: {why}")
    return bad


def dynamic_imports(tree: ast.AST) -> list[int]:
    """Lines that load one of the package's own modules by name (``importlib.import_module``, ``__import__``)."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name in {"import_module", "__import__"} and node.args:
            arg = node.args[0]
            if not isinstance(arg, ast.Constant) or str(arg.value).startswith(ROOT):
                lines.append(node.lineno)
    return lines


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read the environment (``os.environ.get``, ``os.environ[…]``, ``os.getenv``); settings are read
    in :mod:`clustermap.settings` only. Writing ``os.environ[…] = …`` (for worker processes) is not a read."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if f.attr == "getenv" or (f.attr == "get" and ast.unparse(f.value) == "os.environ"):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and ast.unparse(node.value) == "os.environ"
        ):
            lines.append(node.lineno)
    return lines


def undocumented(tree: ast.AST) -> list[str]:
    """Public functions, methods and classes without a docstring (names not starting with ``_``, at module level
    or in a public class; functions nested in functions are private by construction)."""
    out = []

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name.startswith("_"):
                    continue
                if ast.get_docstring(node) is None:
                    out.append(f"{prefix}{node.name}:{node.lineno}")
                if isinstance(node, ast.ClassDef):
                    walk(node.body, f"{prefix}{node.name}.")

    walk(tree.body if isinstance(tree, ast.Module) else [], "")
    return out


# ------------------------------------------------------------------------------------------------ the package


@pytest.fixture(scope="module")
def graph() -> list[Edge]:
    return import_graph()


def test_no_cycle_between_files(graph: list[Edge]) -> None:
    assert cycles((e.source, e.target) for e in graph) == []


def test_no_cycle_between_subpackages(graph: list[Edge]) -> None:
    assert cycles((subpackage(e.source), subpackage(e.target)) for e in graph) == []


def test_layers(graph: list[Edge]) -> None:
    assert layer_violations(graph) == []


def test_no_importlib_of_own_modules() -> None:
    found = {
        name: lines
        for name, path in module_names().items()
        if (lines := dynamic_imports(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_settings_are_read_in_settings_only() -> None:
    found = {
        name: lines
        for name, path in module_names().items()
        if name != "clustermap.settings" and (lines := environment_reads(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}


def public_names(tree: ast.AST) -> int:
    """How many public functions, methods and classes ``tree`` defines (the names :func:`undocumented` checks)."""

    def count(body: list[ast.stmt]) -> int:
        n = 0
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and not node.name.startswith(
                "_"
            ):
                n += 1 + (count(node.body) if isinstance(node, ast.ClassDef) else 0)
        return n

    return count(tree.body if isinstance(tree, ast.Module) else [])


#: the share of public functions and classes that must have a docstring (the rest, listed when the test fails,
#: are mostly pydantic response models, whose docstring would change the OpenAPI schema, and small web helpers)
DOCSTRING_COVERAGE = 0.95


def test_public_functions_and_classes_have_docstrings() -> None:
    missing: dict[str, list[str]] = {}
    total = 0
    for name, path in module_names().items():
        if "migrations" in name:  # Alembic's generated upgrade() / downgrade()
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        total += public_names(tree)
        if names := undocumented(tree):
            missing[name] = names
    n_missing = sum(len(v) for v in missing.values())
    assert 1 - n_missing / total >= DOCSTRING_COVERAGE, (f"{n_missing} of {total} undocumented", missing)


# ------------------------------------------------------------------------------------------------ the checks fail


def test_cycles_finds_a_loop_of_three_and_ignores_a_tree() -> None:
    assert cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [["a", "b", "c"]]
    assert cycles([("a", "b"), ("a", "c"), ("b", "c")]) == []


def test_a_warehouse_importing_mapping_breaks_the_layers() -> None:
    bad = layer_violations([Edge("clustermap.warehouse.store", "clustermap.mapping", 29)])
    assert bad == [
        "clustermap.warehouse.store:29 imports clustermap.mapping: layer warehouse may not import layer engine"
    ]


def test_analyses_running_the_job_is_forbidden() -> None:
    bad = layer_violations([Edge("clustermap.analyses.inputs", "clustermap.jobs", 254)])
    assert bad == [
        "clustermap.analyses.inputs:254 imports clustermap.jobs: analyses read results; the interfaces run the job"
    ]


def test_a_module_outside_every_layer_is_reported() -> None:
    with pytest.raises(KeyError, match=r"clustermap\.newthing"):
        layer_of("clustermap.newthing")


def test_imports_are_read_inside_functions_and_relative() -> None:
    modules = {"clustermap": Path(), "clustermap.a": Path(), "clustermap.a.b": Path(), "clustermap.c": Path()}
    tree = ast.parse("from . import b\ndef f():\n    from clustermap.c import thing\n")
    edges = imports_of("clustermap.a", tree, modules, is_package=True)
    assert [(e.target, e.line) for e in edges] == [("clustermap.a.b", 1), ("clustermap.c", 3)]


def test_import_module_of_own_modules_is_found() -> None:
    tree = ast.parse("import importlib\nm = importlib.import_module('clustermap.analyses')\nn = __import__('json')\n")
    assert dynamic_imports(tree) == [2]


def test_undocumented_public_names_are_found() -> None:
    tree = ast.parse(
        'def f():\n    pass\ndef _g():\n    pass\nclass C:\n    """doc"""\n    def m(self):\n        pass\n'
    )
    assert undocumented(tree) == ["f:1", "C.m:7"]


def test_environment_reads_are_found_and_writes_are_not() -> None:
    tree = ast.parse(
        "import os\na = os.environ.get('X')\nb = os.getenv('Y')\nc = os.environ['Z']\nos.environ['W'] = '1'\n"
    )
    assert environment_reads(tree) == [2, 3, 4]
