"""The import rules: layers point one way, no import cycle, a platform-neutral core.

The rules themselves live in pyproject.toml under [tool.importlinter]: the `layers` contract
(top layer first; a module may import only from layers below its own) and the
`platform-neutral` contract (DESIGN.md invariant 1: handlers/ and storage/ never reach
slack_bolt, slack_sdk or microsoft_agents, directly or through another module). This test runs
them with import-linter over grimp's import graph, which sees every import statement: deferred
ones inside functions and `if TYPE_CHECKING:` ones too. It adds two rules import-linter's
contracts do not state: no cycle at all between modules outside tests, and every module placed
in a layer (a new module has to be put somewhere on purpose).
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.application import output
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract
from importlinter.domain.helpers import MissingImport

configuration.configure()  # import-linter's settings (its timer) before any contract runs
ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACT_TYPES: dict[str, type[Contract]] = {
    "layers": LayersContract,
    "forbidden": ForbiddenContract,
}

# Known exceptions while other work is in flight, so the test stays green and guards the rest:
# imports by contract id ("a.b -> c.d"), and cycles as sets of modules. Each entry names who
# removes it; a stale entry fails the test. Both are empty: nothing is known to run the wrong way.
KNOWN_WRONG_WAY: dict[str, list[str]] = {}
KNOWN_CYCLES: list[set[str]] = []


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """Every import in the four packages, with the third-party packages they reach."""
    return grimp.build_graph(
        *CONFIG["root_packages"],
        include_external_packages=CONFIG.get("include_external_packages", False),
        cache_dir=None,
    )


def contract_options(contract_id: str) -> dict[str, Any]:
    (options,) = [c for c in CONFIG["contracts"] if c["id"] == contract_id]
    return options


def check(graph: grimp.ImportGraph, contract_id: str, *, known: list[str]) -> str | None:
    """Run one pyproject contract over a copy of the graph with the `known` imports left out;
    None when it is kept, else import-linter's account of what broke it."""
    options = dict(contract_options(contract_id))
    options["ignore_imports"] = [*options.get("ignore_imports", []), *known]
    contract = CONTRACT_TYPES[options["type"]](
        name=options["name"], session_options=CONFIG, contract_options=options
    )
    try:
        result = contract.check(copy.deepcopy(graph), verbose=False)
    except MissingImport as gone:
        raise AssertionError(f"{gone} Delete it from KNOWN_WRONG_WAY.") from None
    if result.kept:
        return None
    with output.console.capture() as captured:
        contract.render_broken_contract(result)
    return captured.get()


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """The import graph's cycles: each set is modules that all reach one another (Tarjan)."""
    modules = sorted(m for m in graph.modules if m.split(".")[0] in CONFIG["root_packages"])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported.split(".")[0] not in CONFIG["root_packages"]:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in modules:
        if module not in index:
            visit(module)
    return found


@pytest.mark.parametrize("contract_id", [c["id"] for c in CONFIG["contracts"]])
def test_imports_keep_the_contract(graph: grimp.ImportGraph, contract_id: str) -> None:
    broken = check(graph, contract_id, known=KNOWN_WRONG_WAY.get(contract_id, []))
    assert broken is None, broken


def test_no_import_cycle_between_modules(graph: grimp.ImportGraph) -> None:
    cycles = strongly_connected(graph)
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert not new, f"modules that import each other (directly or round a loop): {new}"
    assert not gone, f"these cycles are gone or changed: update KNOWN_CYCLES: {gone}"


def test_every_module_is_in_a_layer(graph: grimp.ImportGraph) -> None:
    placed = {
        name.strip().strip("()")
        for layer in contract_options("layers")["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    roots = set(CONFIG["root_packages"])
    unplaced = sorted(
        m
        for m in graph.modules
        if m.split(".")[0] in roots
        and m not in roots
        and not any(m == p or m.startswith(p + ".") for p in placed)
    )
    assert not unplaced, f"put these in a layer in pyproject.toml: {unplaced}"


@pytest.mark.parametrize(
    ("importer", "imported", "contract_id"),
    [
        ("storage.outbox", "bot.router", "layers"),  # storage reaching up to the router
        ("bot.reply", "storage.outbox", "layers"),  # a shared value type reaching up
        ("scheduled.meetings", "handlers.meetings", "layers"),  # planner and domain siblings
        ("handlers.help", "bot.adapters.webchat", "layers"),  # a handler reaching a door
        ("bot.dates", "bot.adapters.slack", "platform-neutral"),  # an SDK two hops away
    ],
)
def test_a_wrong_way_import_is_caught(
    graph: grimp.ImportGraph, importer: str, imported: str, contract_id: str
) -> None:
    """The contracts are not vacuous: one added import of each kind breaks them."""
    changed = copy.deepcopy(graph)
    changed.add_import(importer=importer, imported=imported)
    broken = check(changed, contract_id, known=KNOWN_WRONG_WAY.get(contract_id, []))
    assert broken is not None and importer in broken


def test_a_new_cycle_is_caught(graph: grimp.ImportGraph) -> None:
    changed = copy.deepcopy(graph)
    changed.add_import(importer="storage.base", imported="storage.outbox")
    assert {"storage.base", "storage.outbox"} in strongly_connected(changed)


def test_a_domain_kernel_imports_none_of_its_siblings(graph: grimp.ImportGraph) -> None:
    """handlers/<domain>/kernel.py holds the rules the domain's command modules share, so it
    imports none of them (they import it)."""
    kernels = sorted(
        m for m in graph.modules if m.startswith("handlers.") and m.endswith(".kernel")
    )
    assert kernels, "no domain package has a kernel module"
    wrong = {
        kernel: sorted(
            imported
            for imported in graph.find_modules_directly_imported_by(kernel)
            if imported.startswith(kernel.rsplit(".", 1)[0] + ".")
        )
        for kernel in kernels
    }
    assert not {k: v for k, v in wrong.items() if v}, wrong
