"""Eurostat bulk TSV reader and the Eurostat loaders, on tiny hand-written files."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from clustermap.errors import (
    CorruptFileError,
    DuplicateKeyError,
    EmptyInputError,
    ParameterError,
    SchemaError,
    ValueValidationError,
)
from clustermap.loaders import geo_kind, load_eurostat, load_lfs, load_lfs_totals, load_sbs, read_tsv

SBS = (
    "nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2013 \n"  # line 1
    "B,V11210,AT11\t26 \t27 \t26 \n"  # 2
    "B,V16110,AT\t7089 \t7215 \t7114 \n"  # 3
    "B,V16110,AT11\t232 \t: c\t: c\n"  # 4
    "B,V16110,AT12\t1200 \t1180 p\t1100 cd\n"  # 5
    "B,V16110,ATZZ\t5 \t: \t: \n"  # 6
    "B,V16110,EU28\t500000 \t: \t: bu\n"  # 7
    "C29,V16110,AT11\t0 \t12.5 e\t: \n"  # 8
    "C29,V91290,AT11\t-5.2 b\t3.0 \t: \n"  # 9
)


@pytest.fixture
def sbs_file(write):
    return write("sbs_r_nuts06_r2.tsv.gz", SBS, gz=True)


def test_read_tsv_long_frame(sbs_file) -> None:
    frame = read_tsv(sbs_file)
    assert list(frame.columns) == ["nace_r2", "indic_sb", "geo", "year", "value", "flag", "_line"]
    assert len(frame) == 8 * 3
    assert frame["year"].dtype == np.int64 and frame["value"].dtype == np.float64
    at11 = frame[(frame["geo"] == "AT11") & (frame["indic_sb"] == "V16110") & (frame["nace_r2"] == "B")]
    assert at11["year"].tolist() == [2015, 2014, 2013]
    assert at11["value"].tolist()[0] == 232.0 and np.isnan(at11["value"].tolist()[1])
    assert at11["flag"].tolist() == ["", "c", "c"]
    assert at11["_line"].unique().tolist() == [4]
    at12 = frame[frame["geo"] == "AT12"]
    assert at12["value"].tolist() == [1200.0, 1180.0, 1100.0]
    assert at12["flag"].tolist() == ["", "p", "cd"]
    growth = frame[frame["indic_sb"] == "V91290"]
    assert growth["value"].tolist()[:2] == [-5.2, 3.0] and growth["flag"].tolist()[0] == "b"
    assert frame.loc[frame["geo"] == "EU28", "flag"].tolist() == ["", "", "bu"]
    zero = frame[(frame["nace_r2"] == "C29") & (frame["indic_sb"] == "V16110") & (frame["year"] == 2015)]
    assert zero["value"].tolist() == [0.0]  # a real zero stays zero


def test_read_tsv_plain_equals_gzip(write, sbs_file) -> None:
    plain = write("plain.tsv", SBS)
    pd.testing.assert_frame_equal(read_tsv(plain), read_tsv(sbs_file))


def test_read_tsv_filters(sbs_file) -> None:
    frame = read_tsv(sbs_file, filters={"indic_sb": "V16110", "geo": ["AT11", "AT12"], "year": [2015]})
    assert sorted(frame["geo"]) == ["AT11", "AT11", "AT12"]
    assert set(frame["year"]) == {2015}


def test_read_tsv_new_api_layout(write) -> None:
    text = "freq,unit,geo\\TIME_PERIOD\t2019 \t2020 \nA,THS,AT11\t1.5 \t: u\n"
    frame = read_tsv(write("api.tsv", text))
    assert list(frame.columns[:3]) == ["freq", "unit", "geo"]
    assert frame["value"].tolist()[0] == 1.5 and frame["flag"].tolist() == ["", "u"]


def test_geo_kind() -> None:
    codes = pd.Series(["AT", "AT1", "AT11", "AT111", "ATZZ", "FRZ", "EU28", "EA19", "EEA30", "DE_TOT", "HUXX", "EE00"])
    assert geo_kind(codes).tolist() == [
        "nuts", "nuts", "nuts", "nuts", "extra-regio", "extra-regio", "aggregate", "aggregate", "aggregate",
        "aggregate", "not-regionalised", "nuts",
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------------ errors


def test_empty_file(write) -> None:
    path = write("empty.tsv", "")
    with pytest.raises(EmptyInputError) as info:
        read_tsv(path)
    assert str(path) in str(info.value)


def test_header_only(write) -> None:
    path = write("header.tsv.gz", "nace_r2,indic_sb,geo\\time\t2015 \n", gz=True)
    with pytest.raises(EmptyInputError, match="no data rows"):
        read_tsv(path)


def test_truncated_gzip(write) -> None:
    rows = "".join(f"B,V16110,AT{i:04d}\t{i} \t{i + 1} \n" for i in range(30000))
    packed = gzip.compress(("nace_r2,indic_sb,geo\\time\t2015 \t2014 \n" + rows).encode())
    path = write("cut.tsv.gz", packed[: len(packed) * 2 // 3])
    with pytest.raises(CorruptFileError) as info:
        read_tsv(path)
    message = str(info.value)
    assert str(path) in message and "truncated" in message and "line " in message


def test_bad_cell_names_file_line_column_value(write) -> None:
    path = write(
        "bad.tsv", "nace_r2,indic_sb,geo\\time\t2015 \t2014 \nB,V16110,AT11\t232 \t248 \nB,V16110,AT12\t1 \tabc \n"
    )
    with pytest.raises(ValueValidationError) as info:
        read_tsv(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "column '2014'" in message and "abc" in message
    assert info.value.location.line == 3 and info.value.location.column == "2014"


def test_number_glued_to_garbage(write) -> None:
    path = write("bad2.tsv", "nace_r2,indic_sb,geo\\time\t2015 \nB,V16110,AT11\t1,234 \n")
    with pytest.raises(ValueValidationError, match="line 2"):
        read_tsv(path)


def test_empty_cell(write) -> None:
    path = write("short.tsv", "nace_r2,indic_sb,geo\\time\t2015 \t2014 \nB,V16110,AT11\t232 \t\n")
    with pytest.raises(ValueValidationError, match="empty cell") as info:
        read_tsv(path)
    assert info.value.location.line == 2 and info.value.location.column == "2014"


def test_unknown_flag(write) -> None:
    path = write(
        "flag.tsv", "nace_r2,indic_sb,geo\\time\t2015 \t2014 \nB,V16110,AT11\t232 \t: c\nB,V16110,AT12\t5 x\t6 \n"
    )
    with pytest.raises(ValueValidationError) as info:
        read_tsv(path)
    message = str(info.value)
    assert "unknown flag" in message and "'x'" in message and "line 3" in message and "column '2015'" in message


@pytest.mark.parametrize(
    "header",
    [
        "nace_r2,indic_sb,geo\t2015 \n",  # no \time
        "nace_r2,indic_sb,region\\time\t2015 \n",  # no geo dimension
        "nace_r2,indic_sb,geo\\time\t2015Q1 \n",  # not annual
        "nace_r2,indic_sb,geo\\time\n",  # no year columns
        "region,industry,year,employment\n",  # a tidy CSV, not a TSV
    ],
)
def test_wrong_header(write, header: str) -> None:
    path = write("header.tsv", header + "B,V16110,AT11\t232 \n")
    with pytest.raises(SchemaError) as info:
        read_tsv(path)
    assert str(path) in str(info.value) and info.value.location.line == 1


def test_row_with_too_many_cells(write) -> None:
    path = write("wide.tsv", "nace_r2,indic_sb,geo\\time\t2015 \nB,V16110,AT11\t232 \nB,V16110,AT12\t1 \t2 \n")
    with pytest.raises(SchemaError) as info:
        read_tsv(path)
    assert info.value.location.line == 3


def test_row_key_with_wrong_number_of_codes(write) -> None:
    path = write("key.tsv", "nace_r2,indic_sb,geo\\time\t2015 \nB,V16110,AT11\t232 \nB,AT12\t1 \n")
    with pytest.raises(ValueValidationError) as info:
        read_tsv(path)
    assert info.value.location.line == 3 and "B,AT12" in str(info.value)


def test_filter_on_unknown_dimension(sbs_file) -> None:
    with pytest.raises(SchemaError, match="no dimension 'unit'"):
        read_tsv(sbs_file, filters={"unit": "THS"})


# ------------------------------------------------------------------------------------------------ loaders


def test_load_sbs_drops_and_counts(sbs_file) -> None:
    result = load_sbs(sbs_file)
    frame, prov = result.frame, result.provenance
    assert sorted(set(frame["region"])) == ["AT11", "AT12"]
    assert list(frame.columns) == [
        "region", "industry", "year", "employment", "establishments", "wages", "flag", "size_class",
    ]  # fmt: skip
    assert prov.source == "eurostat" and prov.dataset == "sbs_r_nuts06_r2"
    assert prov.rows_read == 8 * 3
    assert prov.rows_dropped == {
        "other indicator": 6,
        "extra-regio code": 3,
        "aggregate geo code": 3,
        "other NUTS level": 3,
    }
    assert prov.rows_read == prov.rows_kept + sum(prov.rows_dropped.values())
    assert len(prov.sha256) == 64 and prov.file == str(sbs_file)
    at11 = frame[(frame["region"] == "AT11") & (frame["industry"] == "B")].set_index("year")
    assert at11.loc[2015, "employment"] == 232.0
    assert np.isnan(at11.loc[2014, "employment"]) and at11.loc[2014, "flag"] == "c"  # suppressed, not zero
    assert frame["wages"].isna().all() and frame["establishments"].isna().all()


def test_load_sbs_options(sbs_file) -> None:
    dropped = load_sbs(sbs_file, drop_missing=True)
    assert dropped.frame["employment"].notna().all()
    assert dropped.provenance.rows_dropped["not available (':')"] == 3
    nuts0 = load_sbs(sbs_file, nuts_level=0, years=[2015])
    assert nuts0.frame[["region", "year", "employment"]].values.tolist() == [["AT", 2015, 7089.0]]
    every_level = load_sbs(sbs_file, nuts_level=None)
    assert set(every_level.frame["region"]) == {"AT", "AT11", "AT12"}


def test_load_sbs_negative_employment(write) -> None:
    path = write("neg.tsv", "nace_r2,indic_sb,geo\\time\t2015 \nB,V16110,AT11\t232 \nB,V16110,AT12\t-3 \n")
    with pytest.raises(ValueValidationError) as info:
        load_sbs(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "employment" in message and "negative" in message


def test_load_sbs_duplicate_key(write) -> None:
    path = write("dup.tsv", "nace_r2,indic_sb,geo\\time\t2015 \nB,V16110,AT11\t232 \nB,V16110,AT11\t233 \n")
    with pytest.raises(DuplicateKeyError) as info:
        load_sbs(path)
    assert "line 3" in str(info.value) and str(path) in str(info.value)


def test_load_sbs_wrong_file_kind(write) -> None:
    path = write("lfs.tsv", "unit,nace_r2,age,geo\\time\t2015 \nTHS,TOTAL,Y_GE15,AT11\t137.4 \n")
    with pytest.raises(SchemaError, match="indic_sb"):
        load_sbs(path)


def test_load_sbs_no_matching_indicator(sbs_file) -> None:
    with pytest.raises(EmptyInputError, match="V99999"):
        load_sbs(sbs_file, indicator="V99999")


LFS = (
    "unit,nace_r2,age,geo\\time\t2015 \t2014 \n"
    "THS,TOTAL,Y15-24,AT11\t15.0 \t14.0 \n"
    "THS,TOTAL,Y_GE15,AT11\t137.4 \t133.7 b\n"
    "THS,TOTAL,Y_GE15,AT12\t6.4 \t: u\n"
    "THS,TOTAL,Y_GE15,EU28\t220000.0 \t219000.0 \n"
    "THS,A,Y_GE15,AT11\t6.4 \t6.0 u\n"
    "THS,TOTAL,Y_GE15,AT1\t600.1 \t590.0 \n"
)


def test_load_lfs_totals_in_persons(write) -> None:
    path = write("lfst_r_lfe2en2.tsv.gz", LFS, gz=True)
    totals = load_lfs_totals(path)
    assert list(totals.columns) == ["region", "year", "total"]
    values = {(r, y): t for r, y, t in totals.itertuples(index=False)}
    assert values[("AT11", 2015)] == 137400.0 and values[("AT11", 2014)] == 133700.0
    assert values[("AT12", 2015)] == 6400.0 and np.isnan(values[("AT12", 2014)])
    assert set(totals["region"]) == {"AT11", "AT12"}
    prov = totals.attrs["provenance"]
    assert prov.dataset == "lfst_r_lfe2en2" and prov.notes["scale"] == 1000.0
    assert prov.rows_dropped["aggregate geo code"] == 2 and prov.rows_dropped["other NUTS level"] == 2
    sectors = load_lfs(path)
    assert set(sectors.frame["industry"]) == {"TOTAL", "A"}


def test_load_eurostat_needs_single_slice(write) -> None:
    path = write("lfs.tsv", LFS)
    with pytest.raises(ParameterError, match="age"):
        load_eurostat(path, dataset="lfst_r_lfe2en2", value_filters={"unit": "THS"})


def test_load_eurostat_without_industry_dimension(write) -> None:
    text = (
        "unit,geo\\time\t2014 \t2013 \nMIO_EUR,AT11\t7638 \t7484 \nMIO_EUR,ATZZ\t1 \t1 \nEUR_HAB,AT11\t26500 \t26100 \n"
    )
    result = load_eurostat(
        write("nama_10r_2gdp.tsv", text), dataset="nama_10r_2gdp", industry_dim=None, value_filters={"unit": "MIO_EUR"}
    )
    assert result.frame[["region", "industry", "year", "employment"]].values.tolist() == [
        ["AT11", "TOTAL", 2014, 7638.0],
        ["AT11", "TOTAL", 2013, 7484.0],
    ]
    assert result.provenance.rows_dropped == {"other unit": 2, "extra-regio code": 2}


def test_a_file_read_twice_is_parsed_once_and_again_when_its_bytes_change(write, monkeypatch) -> None:
    from clustermap.loaders import eurostat

    parses = []
    real = eurostat._read_tsv
    monkeypatch.setattr(eurostat, "_read_tsv", lambda *a, **k: parses.append(1) or real(*a, **k))
    path = write("sbs_again.tsv", SBS)
    nuts2 = load_sbs(path, nuts_level=2)
    every = load_sbs(path, nuts_level=None)
    assert len(parses) == 1  # the same bytes and filters: one parse, two loads
    assert set(nuts2.frame["region"]) == {"AT11", "AT12"} and "AT" in set(every.frame["region"])
    assert nuts2.provenance.rows_dropped["other NUTS level"] == 3
    load_sbs(path, nuts_level=2, indicator="V11210")
    assert len(parses) == 2  # other filters: parsed again
    write("sbs_again.tsv", SBS.replace("1200 \t", "1300 \t"))  # same path, same size, new bytes
    changed = load_sbs(path, nuts_level=2)
    assert len(parses) == 3
    at12 = changed.frame[(changed.frame["region"] == "AT12") & (changed.frame["year"] == 2015)]
    assert at12["employment"].tolist() == [1300.0]
