"""The source catalog and the mirror / cache / download logic (downloads from a local http.server only)."""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import zipfile
from pathlib import Path

import pytest

from clustermap.errors import CorruptFileError, SourceError, UnknownNameError
from clustermap.loaders import load_sbs
from clustermap.sources import catalog, fetch_url, read_bytes, read_text, resolve

REQUIRED_IDS = {
    "eurostat:sbs_r_nuts06_r2",
    "eurostat:lfst_r_lfe2en2",
    "eurostat:lfst_r_lfe2emp",
    "eurostat:nama_10r_2gdp",
    "census:cbp_state_2000_2011",
    "census:cbp_cbsa_2018_2019",
    "uscmp:naics2012_to_cluster",
    "uscmp:related_clusters",
    "uscmp:clusters",
}
CMP_CREDIT = "Source: U.S. Cluster Mapping, Institute for Strategy and Competitiveness, Harvard Business School"

SMALL_SBS = "nace_r2,indic_sb,geo\\time\t2015 \t2014 \nB,V16110,AT11\t232 \t: c\nB,V16110,AT12\t1200 \t1180 p\n"


# ------------------------------------------------------------------------------------------------ catalog


def test_catalog_has_every_required_dataset() -> None:
    ids = set(catalog.ids())
    assert ids >= REQUIRED_IDS
    for ds in catalog.datasets():
        for name in ("id", "title", "publisher", "licence", "citation", "mirror_path", "url", "format"):
            assert getattr(ds, name), f"{ds.id}: empty {name}"
        assert ds.url.startswith("https://"), ds.id


def test_catalog_entries() -> None:
    sbs = catalog.get("eurostat:sbs_r_nuts06_r2")
    assert sbs.mirror_path == "eu/sbs/sbs_r_nuts06_r2.tsv.gz"
    assert sbs.url == (
        "https://ec.europa.eu/eurostat/estat-navtree-portlet-prod/BulkDownloadListing?file=data/sbs_r_nuts06_r2.tsv.gz"
    )
    assert sbs.file_name() == "sbs_r_nuts06_r2.tsv.gz"
    assert sbs.safe_id == "eurostat_sbs_r_nuts06_r2"
    assert sbs.citation == "Source: Eurostat, dataset sbs_r_nuts06_r2"
    assert catalog.get("eurostat:nama_10r_2gdp").mirror_path == "eu/regional/nama_10r_2gdp.tsv.gz"
    assert catalog.get("eurostat:lfst_r_lfe2en2").file_name() == "lfst_r_lfe2en2.tsv.gz"
    cbp = catalog.get("census:cbp_state_2000_2011")
    assert cbp.mirror_path == "us/cbp/cbp_state_naics_2000_2011.csv.gz"
    assert cbp.url_for(2005) == "https://www2.census.gov/programs-surveys/cbp/datasets/2005/cbp05st.zip"
    cmp = catalog.get("uscmp:naics2012_to_cluster")
    assert cmp.mirror_path == "us/clusters/cmp_naics2012_to_cluster.csv"
    assert cmp.citation == CMP_CREDIT
    assert "non-commercial" in cmp.licence and "redistribution" in cmp.licence
    assert catalog.get(cmp) is cmp


def test_catalog_unknown_id_lists_known_ids() -> None:
    with pytest.raises(UnknownNameError) as info:
        catalog.get("eurostat:nope")
    message = str(info.value)
    assert "eurostat:nope" in message
    assert "eurostat:sbs_r_nuts06_r2" in message and "uscmp:clusters" in message


@pytest.mark.realdata
def test_catalog_mirror_paths_exist(mirror: Path) -> None:
    for ds in catalog.datasets():
        assert (mirror / ds.mirror_path).is_file(), ds.id


# ------------------------------------------------------------------------------------------------ resolve


def test_resolve_prefers_the_mirror(tmp_path: Path, isolated_settings: Path) -> None:
    root = tmp_path / "mirror"
    target = root / "eu" / "sbs" / "sbs_r_nuts06_r2.tsv.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.compress(SMALL_SBS.encode()))
    assert resolve("eurostat:sbs_r_nuts06_r2", mirror=root, download=False) == target


def test_resolve_downloads_into_the_cache(http_server, isolated_settings: Path, caplog) -> None:
    payload = gzip.compress(SMALL_SBS.encode())
    url = http_server.add("data/sbs_r_nuts06_r2.tsv.gz", payload)
    with caplog.at_level(logging.INFO, logger="clustermap.sources.fetch"):
        path = resolve("eurostat:sbs_r_nuts06_r2", url=url, download=True)
    assert path == isolated_settings / "eurostat_sbs_r_nuts06_r2" / "sbs_r_nuts06_r2.tsv.gz"
    assert path.read_bytes() == payload
    assert hashlib.sha256(payload).hexdigest() in caplog.text
    assert url in caplog.text
    assert not list(path.parent.glob("*.part"))
    # the loader reads what was downloaded
    result = load_sbs(path)
    assert result.frame.loc[result.frame["region"] == "AT11", "employment"].tolist()[0] == 232.0
    # second call: served from the cache, no new request
    served = len(http_server.requests)
    assert resolve("eurostat:sbs_r_nuts06_r2", url=url) == path
    assert len(http_server.requests) == served


def test_resolve_without_downloads_names_paths_and_url(tmp_path: Path, isolated_settings: Path) -> None:
    with pytest.raises(SourceError) as info:
        resolve("eurostat:nama_10r_2gdp", mirror=tmp_path / "nowhere", download=False)
    message = str(info.value)
    assert str(tmp_path / "nowhere" / "eu" / "regional" / "nama_10r_2gdp.tsv.gz") in message
    assert str(isolated_settings / "eurostat_nama_10r_2gdp") in message
    assert catalog.get("eurostat:nama_10r_2gdp").url in message
    assert "disabled" in message


def test_resolve_404_is_a_source_error(http_server, isolated_settings: Path) -> None:
    url = f"{http_server.url}/data/missing.tsv.gz"
    with pytest.raises(SourceError) as info:
        resolve("eurostat:nama_10r_2gdp", url=url, download=True)
    message = str(info.value)
    assert "404" in message and url in message
    assert "nama_10r_2gdp.tsv.gz" in message  # the mirror path tried
    cache_dir = isolated_settings / "eurostat_nama_10r_2gdp"
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_fetch_url_unreachable_host(tmp_path: Path, isolated_settings: Path) -> None:
    # port 9 (discard) on localhost: connection refused, never the internet
    with pytest.raises(SourceError, match=r"download of http://127\.0\.0\.1:9/x failed"):
        fetch_url("http://127.0.0.1:9/x", tmp_path / "x", timeout=5)
    assert not (tmp_path / "x").exists()


def test_fetch_url_streams_a_larger_file(http_server, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB, several chunks
    url = http_server.add("big.bin", payload)
    dest = fetch_url(url, tmp_path / "sub" / "big.bin", progress=False)
    assert dest.read_bytes() == payload
    again = fetch_url(url, tmp_path / "bar.bin", progress=True)  # the rich progress bar code path
    assert again.read_bytes() == payload


@pytest.mark.realdata
def test_download_from_a_server_of_the_mirror(mirror_server, mirror: Path, isolated_settings: Path) -> None:
    ds = catalog.get("eurostat:nama_10r_2gdp")
    path = resolve(ds, url=f"{mirror_server.url}/{ds.mirror_path}", download=True)
    assert path.parent == isolated_settings / ds.safe_id
    assert path.read_bytes() == (mirror / ds.mirror_path).read_bytes()


# ------------------------------------------------------------------------------------------------ reading


def test_read_bytes_plain_gzip_zip(tmp_path: Path) -> None:
    data = b"a,b\n1,2\n"
    (tmp_path / "plain.csv").write_bytes(data)
    (tmp_path / "packed.csv.gz").write_bytes(gzip.compress(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cbp11st.txt", data)
    (tmp_path / "cbp11st.zip").write_bytes(buffer.getvalue())
    for name in ("plain.csv", "packed.csv.gz", "cbp11st.zip"):
        assert read_bytes(tmp_path / name) == data
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + data)
    assert read_text(tmp_path / "bom.csv") == data.decode()


def test_truncated_gzip_names_file_and_line(tmp_path: Path) -> None:
    text = "".join(f"row {i},{i * 7}\n" for i in range(20000)).encode()
    packed = gzip.compress(text)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(CorruptFileError) as info:
        read_bytes(path)
    assert str(path) in str(info.value)
    assert "truncated" in str(info.value)
    assert info.value.location.line is not None and info.value.location.line > 1
    assert "line " in str(info.value)


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_bytes(tmp_path / "absent.tsv")


def test_bad_encoding_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"region,industry\nAT11,B\nK\xf6ln,C\n")
    with pytest.raises(CorruptFileError) as info:
        read_text(path)
    assert info.value.location.line == 3


def test_fetch_url_checks_the_checksum(http_server, tmp_path: Path) -> None:
    payload = b"cluster data\n" * 100
    url = http_server.add("sums.bin", payload)
    good = "sha256:" + hashlib.sha256(payload).hexdigest()
    assert fetch_url(url, tmp_path / "ok.bin", progress=False, known_hash=good).read_bytes() == payload
    with pytest.raises(SourceError, match=r"download of .* failed"):
        fetch_url(url, tmp_path / "bad.bin", progress=False, known_hash="sha256:" + "0" * 64, retries=0)
    assert not (tmp_path / "bad.bin").exists()


def test_fetch_url_retries_a_failed_download(http_server, tmp_path: Path) -> None:
    url = http_server.add("late.bin", b"x")
    missing = f"{http_server.url}/late-missing.bin"
    served = len(http_server.requests)
    with pytest.raises(SourceError, match="HTTP 404"):
        fetch_url(missing, tmp_path / "late.bin", progress=False, retries=1)
    assert len(http_server.requests) - served == 2  # the first attempt and one retry
    assert fetch_url(url, tmp_path / "late.bin", progress=False).read_bytes() == b"x"
