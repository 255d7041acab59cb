"""Settings, declared once (pydantic-settings): every one has a default, an environment variable
(``CLUSTERMAP_<NAME>``) and a help text that the CLI and the docs read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _find_mirror() -> Path | None:
    """A data mirror laid out like the publishers' files: ``./data``, ``../shared/data`` … from the working
    directory upwards. ``None`` when there is none (then sources are downloaded from their publishers)."""
    here = Path.cwd().resolve()
    for base in (here, *here.parents):
        for candidate in (base / "shared" / "data", base.parent / "shared" / "data"):
            if (candidate / "eu").is_dir() or (candidate / "us").is_dir():
                return candidate
    return None


class Settings(BaseSettings):
    """clustermap settings; each field reads ``CLUSTERMAP_<FIELD>`` from the environment."""

    model_config = SettingsConfigDict(env_prefix="CLUSTERMAP_", extra="ignore")

    data_dir: Path | None = Field(
        default=None,
        description="Local mirror of the publishers' files (e.g. ../shared/data). When unset, clustermap "
        "looks for shared/data next to the working directory, then downloads from the publisher.",
    )
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "clustermap",
        description="Where downloaded source files are kept (one file per dataset and checksum).",
    )
    warehouse: Path = Field(
        default=Path("warehouse") / "clustermap.duckdb",
        description="The DuckDB warehouse file that loads and results are stored in.",
    )
    download: bool = Field(
        default=True,
        description="Allow downloads from the publisher when a file is not in the mirror.",
    )
    spark_master: str = Field(
        default="local[2]", description="Spark master URL for the pyspark backend (local mode by default)."
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Worker threads of the DuckDB engine (default: DuckDB's own, the number of cores).",
    )
    memory_limit: str | None = Field(
        default=None,
        description="Memory the DuckDB engine may use before it spills to disk, e.g. '2GB' or '60%' "
        "(default: DuckDB's own, 80 % of RAM).",
    )
    temp_dir: Path | None = Field(
        default=None,
        description="Where the DuckDB engine spills intermediate results that do not fit the memory limit "
        "(default: a clustermap directory in the system's temporary directory).",
    )

    def mirror(self) -> Path | None:
        """The data mirror in use: the configured one, or the one found next to the working directory."""
        return self.data_dir if self.data_dir is not None else _find_mirror()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
