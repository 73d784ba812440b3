"""Every SQL string the product runs outside its models lives here, once.

Convention (the transpile test in ``tests/test_sql_transpile.py`` depends on it):

* one module per consumer area (``ledger``, ``catalog``, ``validate``, ...), each holding
  module-level ``UPPER_CASE`` string constants in the **DuckDB dialect**;
* values are bound as ``$name`` parameters, never formatted in;
* where an identifier must vary, the constant has a ``{table}`` (or ``{column}``)
  placeholder, filled only with a name checked by ``nbaprops.storage.warehouse.ident``-style
  validation, never with data;
* ops and pipeline code import the constant and pass it to ``Warehouse.rows/execute/query``;
  they hold no engine SQL of their own.

Models (``pipeline/**/*.sql``) and audits (``pipeline/**/audits/*.sql``) stay beside their
processors; the transpile test covers them too.
"""
