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
    spark_conf: str | None = Field(
        default=None,
        description="Extra Spark settings for the pyspark backend, key=value pairs separated by commas, e.g. "
        "'spark.sql.shuffle.partitions=8,spark.driver.memory=2g' (they override clustermap's defaults).",
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Worker threads of the DuckDB engine (default: DuckDB's own, the number of cores).",
    )
    memory_limit: str | None = Field(
        default=None,
        description="Memory the DuckDB engine may use before it spills to disk, e.g. '2GB' or '60%' "
        "(default: 1.5GB for the command line's engine, DuckDB's own 80 % of RAM for the warehouse).",
    )
    temp_dir: Path | None = Field(
        default=None,
        description="Where the DuckDB engine spills intermediate results that do not fit the memory limit "
        "(default: a clustermap directory in the system's temporary directory).",
    )

    # ---------------------------------------------------------------------------------------- input limits
    max_input_bytes: int = Field(
        default=1 << 30,
        ge=1,
        description="Largest input file read (bytes, as stored; default 1 GiB). Larger files are refused.",
    )
    max_decompressed_bytes: int = Field(
        default=512 << 20,
        ge=1,
        description="Largest content of a gzip or zip input once decompressed (bytes; default 512 MiB); checked "
        "while decompressing, so that a gzip bomb stops early.",
    )
    # ---------------------------------------------------------------------------------------- web limits
    max_body_bytes: int = Field(
        default=1 << 20,
        ge=1,
        description="Largest request body the web server reads (bytes; default 1 MiB); larger bodies get 413.",
    )
    max_json_depth: int = Field(
        default=32, ge=1, description="Deepest nesting of a JSON request body (default 32); deeper bodies get 413."
    )
    response_cache_bytes: int = Field(
        default=256 << 20,
        ge=0,
        description="Memory the web server's response cache may hold (bytes of bodies; default 256 MiB).",
    )
    cache_max_body_bytes: int = Field(
        default=2 << 20,
        ge=0,
        description="Answers larger than this (bytes; default 2 MiB) are not cached but built for each request.",
    )
    xlsx_max_cells: int = Field(
        default=500_000,
        ge=1,
        description="Largest table (rows × columns) served as XLSX (default 500,000); larger tables: use CSV.",
    )
    cookie_secure: str = Field(
        default="auto",
        pattern="^(auto|always|never)$",
        description="Mark cookies Secure: auto (always, unless the request is plain HTTP to localhost), always, "
        "or never.",
    )
    registry_url: str | None = Field(
        default=None,
        description="Registry database the web server mounts (SQLite or PostgreSQL URL); unset: the registry's own "
        "setting CLUSTERMAP_REGISTRY_DATABASE_URL.",
    )
    chromium: str | None = Field(
        default=None,
        description="Chromium or Chrome executable that prints reports to PDF; unset: looked for on the PATH; "
        "empty: none (the PDF is skipped).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are "
        "believed (e.g. 127.0.0.1); empty (default): none, the client address is the TCP peer.",
    )

    login_rate: str = Field(
        default="10/minute",
        description="Login attempts (right or wrong) allowed per e-mail address, in the notation of the limits "
        "library (e.g. 10/minute); checked in memory before the password is hashed.",
    )
    login_rate_per_ip: str = Field(
        default="100/minute",
        description="Login attempts (right or wrong) allowed per client address (many users may share one "
        "address behind a NAT); same notation.",
    )

    def mirror(self) -> Path | None:
        """The data mirror in use: the configured one, or the one found next to the working directory."""
        return self.data_dir if self.data_dir is not None else _find_mirror()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()


# -------------------------------------------------------------------------------------------- the registry

#: the registry's embedded default: a SQLite file beside the DuckDB warehouse
DEFAULT_REGISTRY_URL = "sqlite:///warehouse/registry.sqlite3"


class RegistrySettings(BaseSettings):
    """Registry settings; each field reads ``CLUSTERMAP_REGISTRY_<FIELD>`` from the environment."""

    model_config = SettingsConfigDict(env_prefix="CLUSTERMAP_REGISTRY_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_REGISTRY_URL,
        description="SQLAlchemy URL of the registry database: sqlite:///FILE (default) or postgresql://… .",
    )
    secret: str | None = Field(
        default=None,
        description="Secret that signs anonymous CSRF tokens; when unset one is generated and kept in the database.",
    )
    session_hours: int = Field(default=12, ge=1, description="Lifetime of a web session (hours).")
    login_token_hours: int = Field(default=12, ge=1, description="Lifetime of a token issued by API login (hours).")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins allowed per e-mail address within the window before 429."
    )
    login_max_failures_per_ip: int = Field(
        default=20, ge=1, description="Failed logins allowed per client address within the window before 429."
    )
    login_window_minutes: int = Field(default=15, ge=1, description="Rate-limiting window for failed logins.")
    cookie_secure: bool = Field(default=False, description="Mark the session cookie Secure (behind HTTPS).")
    warehouse: Path | None = Field(
        default=None,
        description="DuckDB warehouse whose latest run matchmaking reads (default: the clustermap warehouse).",
    )
    load_content: bool = Field(
        default=True, description="Load the shipped programmes, initiatives and case studies into an empty registry."
    )


@lru_cache(maxsize=1)
def get_registry_settings() -> RegistrySettings:
    """The process-wide registry settings (read once from the environment)."""
    return RegistrySettings()
