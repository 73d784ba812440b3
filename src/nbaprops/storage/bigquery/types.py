"""Typed values for BigQuery: query parameters from Python values, table schemas from Arrow schemas."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
from google.cloud import bigquery

from nbaprops.core.errors import WarehouseError

__all__ = ["bigquery_schema", "query_parameters"]


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, decimal.Decimal):
        return "NUMERIC"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, bytes):
        return "BYTES"
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return "TIMESTAMP" if value.tzinfo is not None else "DATETIME"
    if isinstance(value, dt.date):
        return "DATE"
    raise WarehouseError(f"cannot bind a {type(value).__name__} as a BigQuery query parameter")


def query_parameters(
    params: Mapping[str, Any],
) -> list[bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter]:
    """BigQuery named parameters for ``$name`` bindings (``None`` values are inlined as NULL instead).

    A list becomes an ARRAY of its first non-NULL element's type (an empty list: ARRAY<STRING>).
    """
    out: list[bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            first = next((v for v in value if v is not None), None)
            kind = "STRING" if first is None else _scalar_type(first)
            out.append(bigquery.ArrayQueryParameter(name, kind, list(value)))
        else:
            out.append(bigquery.ScalarQueryParameter(name, _scalar_type(value), value))
    return out


def _field_type(t: pa.DataType) -> tuple[str, str]:
    """(BigQuery type, mode) of an Arrow type."""
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        inner, _ = _field_type(t.value_type)
        return inner, "REPEATED"
    if pa.types.is_boolean(t):
        return "BOOL", "NULLABLE"
    if pa.types.is_integer(t):
        return "INT64", "NULLABLE"
    if pa.types.is_floating(t):
        return "FLOAT64", "NULLABLE"
    if pa.types.is_decimal(t):
        return ("NUMERIC" if t.precision <= 38 and t.scale <= 9 else "BIGNUMERIC"), "NULLABLE"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return "STRING", "NULLABLE"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "BYTES", "NULLABLE"
    if pa.types.is_date(t):
        return "DATE", "NULLABLE"
    if pa.types.is_timestamp(t):
        return ("TIMESTAMP" if t.tz else "DATETIME"), "NULLABLE"
    if pa.types.is_time(t):
        return "TIME", "NULLABLE"
    if pa.types.is_dictionary(t):
        return _field_type(t.value_type)
    raise WarehouseError(f"no BigQuery type for Arrow type {t}")


def bigquery_schema(schema: pa.Schema) -> list[bigquery.SchemaField]:
    """The BigQuery columns of an Arrow schema (same names, same order)."""
    fields = []
    for f in schema:
        kind, mode = _field_type(f.type)
        fields.append(bigquery.SchemaField(f.name, kind, mode=mode))
    return fields
