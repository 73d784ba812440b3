"""The BigQuery warehouse (``NBAPROPS_WAREHOUSE=bigquery://project/dataset``; needs the ``gcp`` extra)."""

from __future__ import annotations

from nbaprops.storage.bigquery.dialect import to_bigquery
from nbaprops.storage.bigquery.warehouse import BigQueryWarehouse, parse_url

__all__ = ["BigQueryWarehouse", "parse_url", "to_bigquery"]
