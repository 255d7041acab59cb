"""Docs coverage: every CLI command and every methodology parameter is documented."""

from __future__ import annotations

from pathlib import Path

from clustermap.cli.main import app
from clustermap.methodology import PARAMETERS, available_methodologies, get_methodology

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands() -> list[str]:
    return [c.name or c.callback.__name__.rstrip("_") for c in app.registered_commands]


def test_every_cli_command_is_in_the_readme_and_has_help() -> None:
    for cmd in app.registered_commands:
        name = cmd.name or cmd.callback.__name__.rstrip("_")
        assert f"clustermap {name}" in README, name
        assert (cmd.callback.__doc__ or "").strip(), name


def test_every_methodology_parameter_is_documented() -> None:
    for name in available_methodologies():
        m = get_methodology(name)
        assert m.description and m.reference, name
        for param in m.parameters:
            assert PARAMETERS.get(param), (name, param)
            assert param in README or param in m.description, (name, param)


def test_readme_opens_with_two_commands() -> None:
    lines = README.split("```", 2)[1].strip().splitlines()[1:]
    assert len([line for line in lines if line.strip()]) == 2


def test_readme_parameter_table_is_the_declaration() -> None:
    from clustermap.methodology import parameter_table_markdown

    assert parameter_table_markdown() in README
