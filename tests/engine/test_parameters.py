"""Methodology parameters declared once: parsing and checking, the CLI's ``--param`` and ``methodology show``, the
REST listing — all from the same declaration."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from clustermap.cli.main import app
from clustermap.errors import ParameterError
from clustermap.methodology import (
    ALL_SUPPRESSION_POLICIES,
    FAMILIES,
    PARAMS,
    SUPPRESSION,
    SUPPRESSION_POLICIES,
    available_methodologies,
    get_methodology,
    parse_assignments,
)

runner = CliRunner()
TINY = (
    "region,industry,year,employment\nA1,X,2012,5000\nA2,X,2012,3000\nA3,X,2012,1200\nA1,Y,2012,100\n"
    "A2,Y,2012,900\nA3,Y,2012,8000\n"
)


def test_every_shipped_methodology_has_every_parameter_of_its_family() -> None:
    for name in available_methodologies():
        m = get_methodology(name)
        assert list(m.parameters) == list(FAMILIES[m.kind]), name
        for key, value in m.parameters.items():
            assert PARAMS[key].parse(value) == value


def test_text_is_parsed_by_the_declared_type() -> None:
    m = get_methodology("eco2007").with_params(size_share="0.2", min_employment="500", focus_scope="category")
    assert m["size_share"] == 0.2 and m["min_employment"] == 500.0 and m["focus_scope"] == "category"
    assert isinstance(m["min_employment"], float)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("size_share", "nan", "finite"),
        ("size_share", float("nan"), "finite"),
        ("size_share", 0, "out of range"),
        ("focus_share", 1.5, "out of range"),
        ("min_employment", -1, "out of range"),
        ("min_employment", "abc", "not a float"),
        ("lq_threshold", True, "not a float"),
        ("focus_scope", "region", "not one of"),
        ("suppression", "zero", "not one of"),
        ("total_base", 3, "not a str"),
    ],
)
def test_bad_values_name_the_key(key: str, value: object, words: str) -> None:
    with pytest.raises(ParameterError, match=key) as exc:
        get_methodology("eco2007").with_params(**{key: value})
    assert words in str(exc.value)


def test_an_unknown_key_is_an_error_naming_it() -> None:
    with pytest.raises(ParameterError, match="no_such_key"):
        get_methodology("eco2007").with_params(no_such_key=1)
    with pytest.raises(ParameterError, match="lq_percentile"):  # a parameter of another family
        get_methodology("eco2007").with_params(lq_percentile=0.5)


def test_a_file_may_leave_parameters_to_their_default_but_not_add_unknown_ones(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('name = "mine"\nversion = "1"\nkind = "stars"\n[parameters]\nsize_share = 0.2\n')
    m = get_methodology(f)
    assert m["size_share"] == 0.2 and m["focus_scope"] == PARAMS["focus_scope"].default
    f.write_text('name = "mine"\nversion = "1"\nkind = "stars"\n[parameters]\nsize_sahre = 0.2\n')
    with pytest.raises(ParameterError, match="size_sahre"):
        get_methodology(f)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_share_is_accepted_iff_finite_in_0_1(x: float) -> None:
    ok = math.isfinite(x) and 0 < x <= 1
    try:
        assert PARAMS["size_share"].parse(x) == x
        accepted = True
    except ParameterError:
        accepted = False
    assert accepted == ok


def test_one_registry_of_suppression_policies() -> None:
    assert ALL_SUPPRESSION_POLICIES == tuple(SUPPRESSION) == ("drop", "parent-residual", "size-class", "two-way")
    assert SUPPRESSION_POLICIES == ("drop", "parent-residual", "size-class")
    assert PARAMS["suppression"].choices == ALL_SUPPRESSION_POLICIES


def test_parse_assignments() -> None:
    assert parse_assignments(["a=1", " b = x=y "]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        parse_assignments(["novalue"])


def test_cli_param_sets_any_parameter(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text(TINY)
    out = tmp_path / "o.csv"
    args = ["map", "--input", str(src), "--categories", "none", "--out", str(out), "--param", "min_employment=0"]
    r = runner.invoke(app, [*args, "--param", "lq_threshold=1.0e9"])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    r = runner.invoke(app, [*args, "--param", "lq_threshold=1.2"])
    assert r.exit_code == 0, r.output
    assert out.read_text() != text  # the threshold reached the engine


@pytest.mark.parametrize(
    ("param", "words"),
    [("no_such_key=1", "no_such_key"), ("size_share=nan", "size_share"), ("focus_scope=x", "focus_scope")],
)
def test_cli_param_errors_are_one_line_exit_2(tmp_path: Path, param: str, words: str) -> None:
    src = tmp_path / "t.csv"
    src.write_text(TINY)
    r = runner.invoke(
        app, ["map", "--input", str(src), "--categories", "none", "--out", str(tmp_path / "o.csv"), "--param", param]
    )
    assert r.exit_code == 2
    assert words in r.output and "Traceback" not in r.output


def test_cli_run_rejects_a_bad_param_before_reading_data(tmp_path: Path) -> None:
    r = runner.invoke(app, ["run", "--warehouse", str(tmp_path / "w.duckdb"), "--param", "size_share=2"])
    assert r.exit_code == 2 and "size_share" in r.output
    assert not (tmp_path / "w.duckdb").exists()


def test_methodology_show_prints_every_parameter() -> None:
    for name in available_methodologies():
        r = runner.invoke(app, ["methodology", "show", name])
        assert r.exit_code == 0, r.output
        m = get_methodology(name)
        for p in m.declaration():
            assert p.name in r.output, (name, p.name)
    r = runner.invoke(app, ["methodology", "list"])
    assert r.exit_code == 0 and all(n in r.output for n in available_methodologies())
    r = runner.invoke(app, ["methodology", "show", "nope"])
    assert r.exit_code == 2 and "nope" in r.output


def test_rest_lists_the_declared_parameters() -> None:
    from clustermap.web.api.routes.meta import _methodology
    from clustermap.web.api.schemas import MethodologyPublic

    body = MethodologyPublic(**_methodology("eco2007", SimpleNamespace(runs={}))).model_dump()
    declared = {d["name"]: d for d in body["parameter_declarations"]}
    assert list(declared) == list(FAMILIES["stars"])
    assert declared["focus_scope"]["bounds"] == "all, category"
    assert declared["min_employment"]["unit"] == "persons"
