"""Item 7: property-based fuzzing of the input readers — the Eurostat TSV, CBP, registry JSON and tidy readers.

Each reader gets two kinds of generated input:

* **hostile** bytes and text (mutated valid files, random bytes, NUL, lone ``\\r``, deep nesting, huge numbers):
  the only exception allowed out is :class:`~clustermap.errors.ClustermapError`;
* **valid** files built from a random table: the reader must give back that table (the reference).

Inputs generated per run (``max_examples``): TSV 1,500 hostile + 600 valid, CBP 1,500 + 600, registry JSON
2,000 + 600, tidy 1,500 + 600, guard 1,100 → **10,000** in all, about a minute on two cores.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustermap.errors import ClustermapError

_DIR = Path(tempfile.mkdtemp(prefix="cm-fuzz-"))
COUNTS: dict[str, int] = {}


#: the same inputs on every run (CI stays reproducible); ``CLUSTERMAP_FUZZ_RANDOM=1`` explores new ones
DERANDOMIZE = os.environ.get("CLUSTERMAP_FUZZ_RANDOM") != "1"


def _fuzz(n: int):
    """hypothesis settings for ``n`` generated inputs, no deadline; the count is recorded for the total."""

    def wrap(test):
        COUNTS[test.__name__] = n
        return settings(
            max_examples=n,
            deadline=None,
            derandomize=DERANDOMIZE,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        )(test)

    return wrap


def _write(name: str, data: bytes) -> Path:
    path = _DIR / name
    path.write_bytes(data)
    return path


def _only_clustermap_errors(call) -> object:
    try:
        return call()
    except ClustermapError:
        return None


# ---------------------------------------------------------------------------------------------- hostile bytes

_TOKENS = st.sampled_from(
    [
        "\t",
        ",",
        "\n",
        "\r",
        "\r\n",
        ":",
        " ",
        "\x00",
        '"',
        "geo\\time",
        "2015 ",
        "1e308",
        "1e400",
        "-1",
        "nan",
        "inf",
        "é",
        "\ufeff",
        "[",
        "{",
        "}",
        "]",
        "c",
        "p",
        "bu",
        "AT11",
        "V16110",
        "C29",
        "total",
        "------",
    ]
)
_hostile_text = st.lists(st.one_of(_TOKENS, st.text(max_size=6)), max_size=60).map("".join)


def _mutate(valid: str):
    """Valid text with a random slice replaced by hostile text."""
    return st.tuples(st.integers(0, len(valid)), st.integers(0, 40), _hostile_text).map(
        lambda t: valid[: t[0]] + t[2] + valid[t[0] + t[1] :]
    )


def _as_bytes(text_strategy):
    return st.one_of(
        text_strategy.map(lambda s: s.encode("utf-8", "surrogatepass")),
        text_strategy.map(lambda s: gzip.compress(s.encode("utf-8", "surrogatepass"))),
        st.binary(max_size=300),
        text_strategy.map(lambda s: gzip.compress(s.encode("utf-8", "surrogatepass"))[:-5]),  # truncated gzip
    )


TSV = "nace_r2,indic_sb,geo\\time\t2015 \t2014 \nC29,V16110,AT11\t232 \t: c\nC29,V16110,AT12\t1200 \t1180 p\n"
CBP = "year,fipstate,naics,naics_raw,empflag,emp,emp_nf,est,ap,ap_nf\n2011,04,325412,325412,,846,G,18,44373,G\n"
TIDY = "region,industry,year,employment\nA1,X,2012,5000\nA2,X,2012,3000\n"
REG_JSON = json.dumps([{"name": "Cluster A", "country": "DE", "region_code": "DE11"}])


@_fuzz(1500)
@given(_as_bytes(st.one_of(_mutate(TSV), _hostile_text)))
def test_eurostat_tsv_hostile(data: bytes) -> None:
    from clustermap.loaders import read_tsv

    _only_clustermap_errors(lambda: read_tsv(_write("x.tsv", data)))


@_fuzz(1500)
@given(_as_bytes(st.one_of(_mutate(CBP), _hostile_text)))
def test_cbp_hostile(data: bytes) -> None:
    from clustermap.loaders import load_cbp_state

    _only_clustermap_errors(lambda: load_cbp_state(_write("cbp.csv", data)))


@_fuzz(1500)
@given(_as_bytes(st.one_of(_mutate(TIDY), _hostile_text)))
def test_tidy_hostile(data: bytes) -> None:
    from clustermap.loaders.tidy import load_tidy

    _only_clustermap_errors(lambda: load_tidy(_write("t.csv", data)))


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@_fuzz(2000)
@given(
    st.one_of(
        _json_values.map(lambda v: json.dumps(v)),
        _mutate(REG_JSON),
        _hostile_text,
        st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
        st.lists(st.fixed_dictionaries({"name": st.text(max_size=30), "country": st.text(max_size=3)}), max_size=3).map(
            json.dumps
        ),
    )
)
def test_registry_json_hostile(text: str) -> None:
    from clustermap.organisations.importers import read_rows
    from clustermap.organisations.schemas import OrganisationIn

    rows, errors = _only_clustermap_errors(lambda: read_rows(text, "json", OrganisationIn)) or ([], [])
    for line, record in rows:
        assert isinstance(line, int) and isinstance(record, dict)
    for e in errors:
        assert str(e)


# ---------------------------------------------------------------------------------------------- valid → reference

_codes = st.lists(st.from_regex(r"[A-Z]{2}[0-9]{2}", fullmatch=True), min_size=1, max_size=6, unique=True)
_counts = st.integers(min_value=0, max_value=10**9)


@_fuzz(600)
@given(_codes, st.lists(st.integers(2000, 2020), min_size=1, max_size=4, unique=True), st.data())
def test_eurostat_tsv_valid_equals_reference(regions: list[str], years: list[int], data) -> None:
    from clustermap.loaders import read_tsv

    values = {(r, y): data.draw(st.one_of(st.none(), _counts)) for r in regions for y in years}
    lines = ["nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{y} " for y in years)]
    for r in regions:
        cells = [":" if values[(r, y)] is None else f"{values[(r, y)]} " for y in years]
        lines.append(f"C29,V16110,{r}\t" + "\t".join(cells))
    frame = read_tsv(_write("ok.tsv", ("\n".join(lines) + "\n").encode()))
    got = {(g, int(y)): v for g, y, v in frame[["geo", "year", "value"]].itertuples(index=False)}
    assert set(got) == set(values)
    for key, want in values.items():
        assert math.isnan(got[key]) if want is None else got[key] == want, key


@_fuzz(600)
@given(st.lists(st.from_regex(r"[0-5][0-9]", fullmatch=True), min_size=1, max_size=6, unique=True), st.data())
def test_cbp_valid_equals_reference(states: list[str], data) -> None:
    from clustermap.loaders import load_cbp_state

    emp = {s: data.draw(st.integers(0, 10**8)) for s in states}
    est = {s: data.draw(st.integers(1, 10**6)) for s in states}
    lines = ["year,fipstate,naics,naics_raw,empflag,emp,emp_nf,est,ap,ap_nf"]
    lines += [f"2011,{s},325412,325412,,{emp[s]},G,{est[s]},100,G" for s in states]
    frame = load_cbp_state(_write("ok_cbp.csv", ("\n".join(lines) + "\n").encode())).frame
    got = frame.set_index("region")
    for s in states:
        assert got.loc[s, "employment"] == emp[s]
        assert got.loc[s, "establishments"] == est[s]


@_fuzz(600)
@given(
    st.lists(
        st.tuples(st.from_regex(r"[A-Z]{2}[0-9]", fullmatch=True), st.sampled_from(["X", "Y", "Z"]), _counts),
        min_size=1,
        max_size=8,
        unique_by=lambda t: (t[0], t[1]),
    )
)
def test_tidy_valid_equals_reference(rows: list[tuple[str, str, int]]) -> None:
    from clustermap.loaders.tidy import load_tidy

    text = "region,industry,year,employment\n" + "".join(f"{r},{i},2012,{e}\n" for r, i, e in rows)
    frame = load_tidy(_write("ok_tidy.csv", text.encode())).frame
    got = {(r, i): e for r, i, e in frame[["region", "industry", "employment"]].itertuples(index=False)}
    assert got == {(r, i): float(e) for r, i, e in rows}


@_fuzz(600)
@given(st.lists(st.fixed_dictionaries({"name": st.text(min_size=1, max_size=40), "n": st.integers()}), max_size=5))
def test_registry_json_valid_equals_reference(records: list[dict]) -> None:
    from clustermap.organisations.importers import read_rows
    from clustermap.organisations.schemas import OrganisationIn

    rows, errors = read_rows(json.dumps(records), "json", OrganisationIn)
    assert not errors
    assert [r for _, r in rows] == records


@_fuzz(1100)
@given(st.binary(max_size=2000), st.integers(1, 3000))
def test_guard_never_lets_decompression_pass_the_limit(payload: bytes, limit: int) -> None:
    from clustermap.errors import InputLimitError
    from clustermap.sources.guard import gunzip_bounded

    packed = gzip.compress(payload)
    try:
        out = gunzip_bounded(packed, "x.gz", limit)
    except InputLimitError:
        assert len(payload) > limit
    else:
        assert out == payload and len(out) <= limit


def test_the_fuzzers_generate_at_least_10000_inputs() -> None:
    assert len(COUNTS) == 9
    assert sum(COUNTS.values()) >= 10_000, COUNTS


# ------------------------------------------------------------------------------ cases the fuzzing found in CI

_FOUND = [
    # a tab where CBP has a year: pandas' float parser refused it and the text re-read re-raised the ValueError
    (
        "cbp",
        b"year,fipstate,naics,naics_raw,empflag,emp,emp_nf,est\n\t,ap,ap_nf\n2011,04,325412,325412,,846,G,18,44373,G\n",
        "line 2",
    ),
    # NUL, then a lone \r: pandas ended a row at the \r, so rows and lines no longer matched (IndexError)
    ("tidy", b"\x00\n\r\t", "carriage return"),
    ("tidy", b"region,industry,year,employment\rA1,X,2012,5\n", "line 1"),
]


def test_inputs_found_by_fuzzing_give_a_typed_error() -> None:
    from clustermap.loaders import load_cbp_state
    from clustermap.loaders.tidy import load_tidy

    readers = {"cbp": load_cbp_state, "tidy": load_tidy}
    for i, (reader, data, said) in enumerate(_FOUND):
        with pytest.raises(ClustermapError, match=said):
            readers[reader](_write(f"found{i}.csv", data))
