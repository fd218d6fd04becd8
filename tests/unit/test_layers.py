"""The layers of docs/architecture.md hold: `_core` never imports Pulumi or a host, no host (the dynamic resources,
the plugin, the CLI, and `native.py`'s plugin classes) imports another, and no resource module imports another
(shared things live in `_core`; `hints.py`, the Python classes' argument type, is no host); and the page has a line
for every `_core` module."""

import ast
from pathlib import Path

import pytest

import pulumi_snowdm

PACKAGE = Path(pulumi_snowdm.__file__).parent
RESOURCE_MODULES = ("task", "task_execution", "fleet_gate")
HOSTS = ("resources", "plugin", "cli")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "_core").rglob("*.py")), ids=lambda path: path.name)
def test_core_is_free_of_pulumi_and_of_the_host(path):
    hosts = tuple(f"pulumi_snowdm.{host}" for host in (*HOSTS, "native"))
    bad = {name for name in imports(path) if name.split(".")[0] == "pulumi" or name.startswith(hosts)}
    assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


@pytest.mark.parametrize("module", RESOURCE_MODULES)
def test_no_resource_module_imports_another(module):
    others = {f"pulumi_snowdm.resources.{other}" for other in RESOURCE_MODULES if other != module}
    assert not imports(PACKAGE / "resources" / f"{module}.py") & others


@pytest.mark.parametrize("host", [*HOSTS, "native"])
def test_no_host_imports_another(host):
    others = tuple(f"pulumi_snowdm.{other}" for other in (*HOSTS, "native") if other != host)
    paths = [PACKAGE / "native.py"] if host == "native" else sorted((PACKAGE / host).rglob("*.py"))
    for path in paths:
        bad = {name for name in imports(path) if name.startswith(others)}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_native_stands_on_core_alone():
    ours = {name for name in imports(PACKAGE / "native.py") if name.startswith("pulumi_snowdm")}
    assert ours and all(name.startswith(("pulumi_snowdm._core", "pulumi_snowdm.hints")) for name in ours), ours


def test_the_architecture_page_gives_every_core_module_a_line_of_its_own():
    page = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    block = page[page.index("\n_core/\n"):page.index("\nemulator/")]
    listed = {line.split()[0] for line in block.splitlines() if line.split() and line.split()[0].endswith(".py")}
    modules = {path.name for path in (PACKAGE / "_core").rglob("*.py") if path.name != "__init__.py"}
    assert modules <= listed, f"docs/architecture.md has no line for {sorted(modules - listed)}"
