"""Dataframe interchange: pandas, polars or pyarrow in, the same kind out (the API keeps the caller's type)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from clustermap.errors import ParameterError


def to_pandas(table: Any) -> pd.DataFrame:
    """A pandas frame from a pandas, polars or pyarrow table."""
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, pa.Table):
        return table.to_pandas()
    if type(table).__module__.startswith("polars"):
        return table.to_pandas()
    raise ParameterError(f"expected a pandas, polars or pyarrow table, got {type(table).__name__}")


def like(frame: pd.DataFrame, template: Any) -> Any:
    """``frame`` converted to the kind of table ``template`` is (pandas, polars or pyarrow)."""
    if isinstance(template, pa.Table):
        return pa.Table.from_pandas(frame, preserve_index=False)
    if type(template).__module__.startswith("polars"):
        import polars as pl

        return pl.from_pandas(frame)
    return frame
