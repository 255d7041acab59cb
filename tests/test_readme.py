"""The README as a contract: every fenced code block of README.md is checked, whatever the blocks say.

* ``bash`` / ``text`` / ``sh`` / ``console`` blocks: every ``clustermap …`` command names sub-commands that exist,
  and every ``--option`` written after it is listed by that sub-command's ``--help``; every ``x|y|z`` list of
  values after ``--methodology`` names methodologies that ``clustermap methodology list`` lists; every
  ``bash scripts/….sh`` names a script of the repository. The cheap commands (:data:`CHEAP`) are run.
* ``python`` blocks: executed in order in one namespace (a later block may use an earlier block's names, as a
  reader would), in a temporary directory, on the data mirror (``CLUSTERMAP_DATA_DIR``).

The blocks are found by parsing the file, so the test keeps working when the README's blocks change.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from clustermap.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
SHELL = {"bash", "sh", "shell", "console", "text", ""}
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
#: commands cheap enough to run as written (no data read), by sub-command path
CHEAP = {("methodology", "list"), ("info",)}


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # where the block starts in README.md (1-based)

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.lang or 'plain'})"


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [Block(m.group(1).lower(), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]  # the tokens after ``clustermap`` (continuation lines joined)
    line: int

    def __str__(self) -> str:
        return f"README.md:{self.line}: clustermap {' '.join(self.words)}"


def commands(block: Block) -> list[Command]:
    """The ``clustermap`` invocations of a shell block: a line (or a part after ``&&`` / ``;``) that calls
    ``clustermap`` (any path to it), with the indented lines after it as its continuation; ``#`` comments cut."""
    out: list[Command] = []
    current: list[str] | None = None
    start = 0
    for i, raw in enumerate(block.code.splitlines()):
        line = raw.split(" #", 1)[0] if not raw.lstrip().startswith("#") else ""
        if current is not None and raw[:1].isspace() and line.strip():
            current += line.split()
            continue
        if current is not None:
            out.append(Command(tuple(current), block.line + 1 + start))
            current = None
        for part in re.split(r"&&|;", line):
            tokens = part.split()
            for j, tok in enumerate(tokens):
                if tok == "clustermap" or tok.endswith("/clustermap"):
                    if current is not None:
                        out.append(Command(tuple(current), block.line + 1 + start))
                    current, start = tokens[j + 1 :], i
                    break
    if current is not None:
        out.append(Command(tuple(current), block.line + 1 + start))
    return out


def shell_commands() -> list[Command]:
    return [c for b in blocks() if b.lang in SHELL for c in commands(b)]


def _cli():
    import typer.main

    from clustermap.cli.main import app

    return typer.main.get_command(app)


def _is_group(cmd: object) -> bool:
    """A command with sub-commands (typer vendors its own click, so no isinstance on click's classes)."""
    return isinstance(getattr(cmd, "commands", None), dict)


def resolve(command: Command):
    """The click command a README command names, and the sub-command path (``("regions", "list")``)."""
    cmd = _cli()
    path: list[str] = []
    for word in command.words:
        if not _is_group(cmd) or word.startswith("-"):
            break
        names = word.split("|")
        if not all(n in cmd.commands for n in names):
            missing = [n for n in names if n not in cmd.commands]
            raise AssertionError(f"{command}: no sub-command {missing} of 'clustermap {' '.join(path)}'")
        # alternatives (``upgrade|downgrade``) all exist; the options are checked on the first
        path.append(names[0])
        cmd = cmd.commands[names[0]]
    return cmd, tuple(path)


def run_cli(args: list[str]) -> str:
    from typer.testing import CliRunner

    from clustermap.cli.main import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


# ------------------------------------------------------------------------------------------------ checks


def test_readme_has_blocks_of_both_kinds() -> None:
    found = blocks()
    assert any(b.lang == "python" for b in found)
    assert len(shell_commands()) >= 10


@pytest.mark.parametrize("command", shell_commands(), ids=str)
def test_command_and_its_options_exist(command: Command) -> None:
    cmd, path = resolve(command)
    assert path, f"{command}: names no sub-command"
    help_text = run_cli([*path, "--help"])
    if _is_group(cmd):
        options = OPTION.findall(" ".join(command.words))
        assert not options, f"{command}: options after a group ({options})"
        return
    for option in OPTION.findall(" ".join(command.words)):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text), (
            f"{command}: '{option}' is not an option of 'clustermap {' '.join(path)}'"
        )
    words = list(command.words)
    for i, w in enumerate(words[:-1]):
        if w == "--methodology":
            listed = run_cli(["methodology", "list"])
            for name in words[i + 1].split("|"):
                if name.islower() and "." not in name:
                    assert re.search(rf"\b{re.escape(name)}\b", listed), f"{command}: no methodology {name!r}"


def _cheap() -> list[tuple[str, ...]]:
    paths = []
    for c in shell_commands():
        try:
            path = resolve(c)[1]
        except AssertionError:
            continue  # reported by test_command_and_its_options_exist
        if path in CHEAP and path not in paths:
            paths.append(path)
    return paths


@pytest.mark.parametrize("path", _cheap(), ids=" ".join)
def test_cheap_commands_run(path: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's cheap commands run and print something (``clustermap methodology list``, ``info``)."""
    monkeypatch.chdir(tmp_path)
    assert run_cli(list(path)).strip()


def test_the_checks_catch_a_wrong_command() -> None:
    """The checks fail on a sub-command or an option that does not exist."""
    with pytest.raises(AssertionError, match="no sub-command"):
        resolve(Command(("regions", "no-such-thing"), 1))
    with pytest.raises(AssertionError, match="is not an option"):
        test_command_and_its_options_exist(Command(("run", "--no-such-option", "X"), 1))
    with pytest.raises(AssertionError, match="no methodology"):
        test_command_and_its_options_exist(Command(("run", "--methodology", "eco2007|nosuchmethod"), 1))
    parsed = commands(Block("bash", "x && .venv/bin/clustermap run --out out\nclustermap serve\n  [--port 1]\n", 3))
    assert [c.words for c in parsed] == [("run", "--out", "out"), ("serve", "[--port", "1]")]


def test_scripts_named_exist() -> None:
    for b in blocks():
        if b.lang not in SHELL:
            continue
        for script in re.findall(r"\bbash\s+(\S+\.sh)\b", b.code):
            assert (ROOT / script).is_file(), f"{b}: {script} does not exist"


PYTHON_BLOCKS = [b for b in blocks() if b.lang == "python"]


@pytest.mark.realdata
@pytest.mark.slow  # the PySpark line starts a JVM: about 2 minutes on a busy machine
def test_python_blocks_run_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Each python block runs as written, in order, in one namespace (on the mirror at CLUSTERMAP_DATA_DIR)."""
    if not os.environ.get("CLUSTERMAP_DATA_DIR"):
        mirror = ROOT.parent / "shared" / "data"
        if not mirror.is_dir():
            pytest.skip("the data mirror is not available (set CLUSTERMAP_DATA_DIR)")
        monkeypatch.setenv("CLUSTERMAP_DATA_DIR", str(mirror))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()  # read the mirror set here, not the settings an earlier test cached
    request.addfinalizer(get_settings.cache_clear)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for block in PYTHON_BLOCKS:
        try:
            exec(compile(block.code, str(block), "exec"), namespace)  # the README's own code
        except Exception as exc:  # name the block, not this line
            raise AssertionError(f"{block} fails: {type(exc).__name__}: {exc}") from exc


def test_shell_lines_parse() -> None:
    """Every shell block is valid shell words (quotes balanced), so a reader can paste it."""
    for b in blocks():
        if b.lang in ("bash", "sh"):
            for line in b.code.splitlines():
                shlex.split(line, comments=True)
