"""Eurostat SDMX-CSV reader: hand-written files, and agreement with the bulk TSV reader."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clustermap.errors import EmptyInputError, SchemaError, ValueValidationError
from clustermap.loaders import load_eurostat, load_sbs, read_eurostat, read_sdmx, read_tsv

SDMX_10 = (
    "DATAFLOW,LAST UPDATE,freq,nace_r2,indic_sb,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
    "ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17 23:00:00,A,B,V16110,AT11,2015,232,\n"
    "ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17 23:00:00,A,B,V16110,AT11,2014,,c\n"
    "ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17 23:00:00,A,B,V16110,AT12,2015,1200,\n"
    "ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17 23:00:00,A,B,V16110,AT12,2014,1180,p\n"
    "ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17 23:00:00,A,C29,V16110,AT11,2015,:,cd\n"
    "ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17 23:00:00,A,B,V11210,AT11,2015,26,\n"
)

TSV_SAME = (
    "nace_r2,indic_sb,geo\\time\t2015 \t2014 \n"
    "B,V11210,AT11\t26 \t: \n"
    "B,V16110,AT11\t232 \t: c\n"
    "B,V16110,AT12\t1200 \t1180 p\n"
    "C29,V16110,AT11\t: cd\t: \n"
)


def _key(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    return frame[[*dims, "year", "value", "flag"]].sort_values([*dims, "year"]).reset_index(drop=True)


def test_read_sdmx_10(write) -> None:
    path = write("sbs.csv", SDMX_10)
    frame = read_sdmx(path)
    assert list(frame.columns) == ["freq", "nace_r2", "indic_sb", "geo", "year", "value", "flag", "_line"]
    assert frame["year"].dtype == np.int64 and frame["value"].dtype == np.float64
    assert frame["_line"].tolist() == [2, 3, 4, 5, 6, 7]
    assert frame["value"].tolist()[0] == 232.0 and np.isnan(frame["value"].tolist()[1])
    assert frame["flag"].tolist() == ["", "c", "", "p", "cd", ""]
    assert np.isnan(frame["value"].tolist()[4])


def test_read_sdmx_20_with_conf_status_and_labels(write) -> None:
    text = (
        "STRUCTURE,STRUCTURE_ID,ACTION,freq:Time frequency,unit:Unit of measure,geo:Geopolitical entity,"
        "TIME_PERIOD:Time,OBS_VALUE:Observation value,OBS_FLAG:Observation flag,CONF_STATUS:Confidentiality\n"
        'dataflow,ESTAT:NAMA_10R_2GDP(1.0),I,A:Annual,MIO_EUR:Million euro,"AT11:Burgenland, AT",2014,7638,,F\n'
        "dataflow,ESTAT:NAMA_10R_2GDP(1.0),I,A:Annual,MIO_EUR:Million euro,AT12:Niederösterreich,2014,,d,C\n"
    )
    frame = read_sdmx(write("gdp.csv.gz", text, gz=True))
    assert list(frame.columns) == ["freq", "unit", "geo", "year", "value", "flag", "_line"]
    assert frame["geo"].tolist() == ["AT11", "AT12"] and frame["unit"].tolist() == ["MIO_EUR", "MIO_EUR"]
    assert frame["flag"].tolist() == ["", "cd"]  # CONF_STATUS C adds the TSV's 'c'
    result = load_eurostat(
        write("gdp2.csv", text), dataset="nama_10r_2gdp", industry_dim=None, value_filters={"unit": "MIO_EUR"}
    )
    assert result.frame["employment"].tolist()[0] == 7638.0
    assert result.provenance.notes["format"] == "sdmx-csv"


def test_sdmx_and_tsv_agree_by_hand(write) -> None:
    tsv = read_tsv(write("same.tsv", TSV_SAME))
    sdmx = read_sdmx(write("same.csv", SDMX_10))
    dims = ["nace_r2", "indic_sb", "geo"]
    # SDMX-CSV omits observations that are missing without a flag; compare on the observations it has
    merged = _key(sdmx, dims).merge(_key(tsv, dims), on=[*dims, "year"], suffixes=("_sdmx", "_tsv"))
    assert len(merged) == len(sdmx)
    np.testing.assert_array_equal(merged["value_sdmx"].to_numpy(), merged["value_tsv"].to_numpy())
    assert merged["flag_sdmx"].tolist() == merged["flag_tsv"].tolist()


def test_load_sbs_reads_sdmx_too(write) -> None:
    from_tsv = load_sbs(write("t.tsv", TSV_SAME), drop_missing=False)
    from_sdmx = load_sbs(write("s.csv", SDMX_10))
    keys = ["region", "industry", "year"]
    left = from_sdmx.frame.set_index(keys).sort_index()
    right = from_tsv.frame.set_index(keys).loc[left.index]
    pd.testing.assert_series_equal(left["employment"], right["employment"])
    pd.testing.assert_series_equal(left["flag"], right["flag"])


def test_read_eurostat_dispatches_by_content(write) -> None:
    assert "freq" in read_eurostat(write("x.data", SDMX_10)).columns
    assert "freq" not in read_eurostat(write("y.data", TSV_SAME)).columns


def test_sdmx_errors(write) -> None:
    with pytest.raises(EmptyInputError):
        read_sdmx(write("empty.csv", ""))
    with pytest.raises(SchemaError, match="OBS_VALUE") as info:
        read_sdmx(write("cols.csv", "DATAFLOW,freq,geo,TIME_PERIOD,VALUE\nX,A,AT11,2015,1\n"))
    assert info.value.location.line == 1
    bad_value = SDMX_10.replace(",AT12,2015,1200,", ",AT12,2015,12O0,")
    path = write("value.csv", bad_value)
    with pytest.raises(ValueValidationError) as info:
        read_sdmx(path)
    message = str(info.value)
    assert str(path) in message and "line 4" in message and "OBS_VALUE" in message and "12O0" in message
    with pytest.raises(ValueValidationError, match="unknown flag") as info:
        read_sdmx(write("flag.csv", SDMX_10.replace("1180,p", "1180,q")))
    assert info.value.location.line == 5 and info.value.location.column == "OBS_FLAG"
    with pytest.raises(ValueValidationError, match="annual") as info:
        read_sdmx(write("q.csv", SDMX_10.replace("AT12,2014", "AT12,2014-Q1")))
    assert info.value.location.line == 5


@pytest.mark.realdata
def test_sdmx_derived_from_real_tsv_agrees(mirror: Path, tmp_path: Path) -> None:
    """Take the Austrian and Belgian rows of the real SBS file, rewrite them as SDMX-CSV with plain string
    handling (independent of the readers), and check both readers return the same cells."""
    with gzip.open(mirror / "eu" / "sbs" / "sbs_r_nuts06_r2.tsv.gz", "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    header, body = lines[0], [ln for ln in lines[1:] if ln.split("\t", 1)[0].split(",")[-1].startswith(("AT", "BE"))]
    assert len(body) > 1000
    tsv_path = tmp_path / "slice.tsv"
    tsv_path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    years = [c.strip() for c in header.split("\t")[1:]]
    out = ["DATAFLOW,LAST UPDATE,freq,nace_r2,indic_sb,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"]
    for line in body:
        key, *cells = line.split("\t")
        for year, cell in zip(years, cells, strict=True):
            number, _, flag = cell.strip().partition(" ")
            if number == ":" and not flag:
                continue  # SDMX-CSV leaves out unflagged missing observations
            out.append(f"ESTAT:SBS_R_NUTS06_R2(1.0),20/06/17,A,{key},{year},{'' if number == ':' else number},{flag}")
    sdmx_path = tmp_path / "slice.csv.gz"
    sdmx_path.write_bytes(gzip.compress(("\n".join(out) + "\n").encode()))
    dims = ["nace_r2", "indic_sb", "geo"]
    tsv = read_tsv(tsv_path)
    sdmx = read_sdmx(sdmx_path)
    tsv = tsv[tsv["value"].notna() | (tsv["flag"] != "")]
    pd.testing.assert_frame_equal(_key(sdmx, dims), _key(tsv, dims))
    a = load_sbs(tsv_path).frame
    b = load_sbs(sdmx_path).frame
    a = a[a["employment"].notna() | (a["flag"] != "")].sort_values(["region", "industry", "year"], ignore_index=True)
    pd.testing.assert_frame_equal(b.sort_values(["region", "industry", "year"], ignore_index=True), a)
