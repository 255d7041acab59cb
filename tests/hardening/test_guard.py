"""Item 3 for files: regular files only (or ``-``), the file-size limit, and decompression bounded while it runs
(a gzip or zip bomb stops at the limit with a typed error)."""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clustermap.cli.main import app
from clustermap.errors import EmptyInputError, InputLimitError, MissingFileError, NotRegularFileError
from clustermap.settings import get_settings
from clustermap.sources.guard import check_file, read_input_bytes, unzip_bounded


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLUSTERMAP_MAX_INPUT_BYTES", "50000")
    monkeypatch.setenv("CLUSTERMAP_MAX_DECOMPRESSED_BYTES", "100000")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_gzip_bomb_stops_at_the_limit(tmp_path: Path, small_limits) -> None:
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"region,industry,year,employment\n" + b"0" * 10_000_000))
    assert bomb.stat().st_size < 50_000
    with pytest.raises(InputLimitError, match="decompressed content exceeds"):
        read_input_bytes(bomb)
    r = CliRunner().invoke(app, ["map", "--input", str(bomb), "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 2 and "CLUSTERMAP_MAX_DECOMPRESSED_BYTES" in r.output and "Traceback" not in r.output


def test_a_zip_bomb_stops_at_the_limit(tmp_path: Path, small_limits) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.csv", b"0" * 5_000_000)
    with pytest.raises(InputLimitError):
        unzip_bounded(buf.getvalue(), "x.zip")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, small_limits) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 60_000)
    with pytest.raises(InputLimitError, match="60,000 bytes"):
        check_file(big)


def test_paths_that_are_not_regular_files(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError) as missing:
        check_file(tmp_path / "absent.csv")
    assert missing.value.exit_code == 2
    with pytest.raises(NotRegularFileError, match="directory"):
        check_file(tmp_path)
    with pytest.raises(NotRegularFileError, match="device"):
        check_file("/dev/null")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(EmptyInputError):
        check_file(tmp_path / "empty.csv")


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    class _Stdin:
        buffer = io.BytesIO(gzip.compress(b"a,b\n1,2\n"))

    monkeypatch.setattr(sys, "stdin", _Stdin)
    assert read_input_bytes("-") == b"a,b\n1,2\n"
