"""DuckDB-dialect SQL to BigQuery: sqlglot once per statement text, plus a few documented rewrites.

Every SQL string in nbaprops is written in the DuckDB dialect (models, audits, the constants in
``nbaprops.storage.queries``).  `to_bigquery` transpiles one statement with sqlglot and caches
the result per (text, dataset, NULL parameters), so a statement run once per partition is parsed
once.  sqlglot handles most of the distance (``$name`` -> ``@name``, ``list_contains`` ->
``EXISTS (... UNNEST ...)``, several ``unnest`` in one projection -> a zipped ``UNNEST ... WITH
OFFSET``, ``::VARCHAR`` -> ``CAST(... AS STRING)``, ``now()``, ``TIMESTAMPTZ``); what it cannot
do is rewritten here, each rule named in `REWRITES`:

* ``hash(x)`` (DuckDB's 64-bit row hash, used by the order-independent checksums) becomes
  the first 60 bits of ``MD5(TO_JSON_STRING(x))`` as an ``INT64`` (``CAST('0x...' AS INT64)``):
  a hash of a canonical text of the row.  Not ``FARM_FINGERPRINT``: the emulator computes that
  in pure Python, 45x slower than its native MD5 (7.3 s against 0.16 s for 20,000 rows), which
  made checksums most of a season's time there;
* ``HUGEINT``/``INT128`` (DuckDB's 128-bit integer, for a sum of 64-bit hashes) becomes
  ``BIGNUMERIC``, BigQuery's widest exact number;
* ``a || b`` with a non-string operand casts that operand to ``STRING`` (DuckDB concatenates
  any type; BigQuery's ``||`` takes strings only);
* a SELECT without FROM whose projections ``unnest`` list parameters (DuckDB zips them row by
  row: the ledger's bulk inserts and updates) reads them as ``UNNEST(@a) WITH OFFSET`` joined on
  the offsets; sqlglot's generic form (``GENERATE_ARRAY`` and a cross join filtered on positions)
  means the same on BigQuery, but the emulator mis-evaluates it inside ``UPDATE ... FROM``;
* in ``UPDATE ... SET c = $p FROM (subquery) v``, the SET clause's parameters are read through
  the subquery (``v._p_p``): the same value on BigQuery, and the emulator binds parameters by
  position in an order that otherwise pairs them with the wrong placeholders;
* an ``UPDATE``'s computed SET values are parenthesised (``SET s = (w = 0 AND NOT e)``): the
  emulator drops an unparenthesised ``SET s = w = 0 AND ...`` without an error;
* ``now()`` becomes ``CURRENT_TIMESTAMP()``;
* unqualified table names get the warehouse's dataset (CTE names are left alone);
* a parameter bound to ``None`` becomes a ``NULL`` literal: BigQuery needs a type for every
  parameter and an untyped NULL coerces to whatever the statement needs.

The checksums are engine-specific (each engine hashes rows its own way); within one engine they
are order-independent and content-sensitive, which is all the catalog and the input hashes need.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import ErrorLevel, exp

from nbaprops.core.errors import WarehouseError

__all__ = ["REWRITES", "to_bigquery"]

REWRITES = (
    "hash",
    "hugeint",
    "concat_operands",
    "zip_unnest",
    "update_params",
    "set_parens",
    "now",
    "qualify_tables",
    "null_params",
)
"""The rewrites applied after sqlglot's own transpilation (see the module docstring)."""


def _hash(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "hash" and len(node.expressions) == 1:
        row_text = exp.Anonymous(this="TO_JSON_STRING", expressions=[node.expressions[0]])
        digest = exp.Anonymous(this="TO_HEX", expressions=[exp.Anonymous(this="MD5", expressions=[row_text])])
        head = exp.Anonymous(
            this="SUBSTR", expressions=[digest, exp.Literal.number(1), exp.Literal.number(15)]
        )
        hexed = exp.Anonymous(this="CONCAT", expressions=[exp.Literal.string("0x"), head])
        return exp.Cast(this=hexed, to=exp.DataType.build("BIGINT"))
    return node


def _hugeint(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.INT128, exp.DataType.Type.UINT128):
        return exp.DataType.build("BIGNUMERIC")
    return node


def _is_text(node: exp.Expression) -> bool:
    if isinstance(node, exp.Literal):
        return bool(node.is_string)
    if isinstance(node, exp.Cast):
        return node.to.is_type(*exp.DataType.TEXT_TYPES)
    return isinstance(node, exp.DPipe | exp.Concat | exp.Placeholder | exp.Column)


def _concat_operands(node: exp.Expression) -> exp.Expression:
    """Cast the non-text operands of ``||`` to STRING (columns and parameters are left as they are:
    the ledger concatenates only text columns and text parameters)."""
    if isinstance(node, exp.DPipe):
        for arg in ("this", "expression"):
            side = node.args.get(arg)
            if side is not None and not _is_text(side):
                node.set(arg, exp.cast(side, "STRING"))
    return node


def _zip_unnest(tree: exp.Expression) -> None:
    for select in list(tree.find_all(exp.Select)):
        if select.args.get("from_") is not None:
            continue
        zipped = [
            node
            for node in select.find_all(exp.Explode, exp.Unnest)
            if node.parent_select is select and isinstance(node.this, exp.Placeholder)
        ]
        names = list(dict.fromkeys(str(node.this.this) for node in zipped))
        if not names:
            continue
        for node in zipped:
            node.replace(exp.column(f"_z_{node.this.this}"))
        first, *rest = names
        joins = "".join(
            f" JOIN UNNEST(@{n}) AS _z_{n} WITH OFFSET AS _o_{n} ON _o_{first} = _o_{n}" for n in rest
        )
        source = sqlglot.parse_one(
            f"SELECT 1 FROM UNNEST(@{first}) AS _z_{first} WITH OFFSET AS _o_{first}{joins}", read="bigquery"
        )
        select.set("from_", source.args["from_"])
        select.set("joins", source.args.get("joins"))


def _update_params(tree: exp.Expression) -> None:
    source = tree.args.get("from_") if isinstance(tree, exp.Update) else None
    sub = source.this if source is not None else None
    if not isinstance(sub, exp.Subquery) or not isinstance(sub.this, exp.Select) or not sub.alias:
        return
    for assignment in tree.expressions:
        for ph in list(assignment.find_all(exp.Placeholder)):
            name = f"_p_{ph.this}"
            if name not in sub.this.named_selects:
                sub.this.select(exp.alias_(exp.Placeholder(this=ph.this), name), copy=False)
            ph.replace(exp.column(name, table=sub.alias))


def _set_parens(tree: exp.Expression) -> None:
    if isinstance(tree, exp.Update):
        for assignment in tree.expressions:
            value = assignment.expression
            if isinstance(assignment, exp.EQ) and isinstance(value, exp.Binary | exp.Not):
                assignment.set("expression", exp.paren(value, copy=False))


def _now(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "now" and not node.expressions:
        return exp.CurrentTimestamp()
    return node


def _qualify(tree: exp.Expression, dataset: str) -> None:
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        bare = not table.args.get("db") and isinstance(table.this, exp.Identifier)
        if bare and table.name and table.name not in ctes:
            table.set("db", exp.to_identifier(dataset))


def _null_params(tree: exp.Expression, nulls: frozenset[str]) -> exp.Expression:
    if not nulls:
        return tree

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and str(node.this) in nulls:
            return exp.null()
        return node

    return tree.transform(swap)


@lru_cache(maxsize=4096)
def to_bigquery(sql: str, dataset: str, nulls: frozenset[str] = frozenset()) -> str:
    """One DuckDB-dialect statement as BigQuery SQL (cached per text, dataset and NULL parameters).

    Args:
        sql: one statement in the DuckDB dialect, parameters as ``$name``.
        dataset: the dataset unqualified table names live in.
        nulls: names of parameters bound to ``None`` (inlined as ``NULL``).

    Raises:
        WarehouseError: the text does not parse, holds more than one statement, or uses
            something sqlglot cannot express in BigQuery.
    """
    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as exc:
        raise WarehouseError(f"SQL does not parse as DuckDB: {str(exc).splitlines()[0]}") from exc
    if len(trees) != 1:
        raise WarehouseError(f"expected one SQL statement, got {len(trees)}")
    tree = trees[0]
    tree = tree.transform(_hash).transform(_hugeint).transform(_concat_operands)
    _zip_unnest(tree)
    _update_params(tree)
    _set_parens(tree)
    tree = tree.transform(_now)
    _qualify(tree, dataset)
    tree = _null_params(tree, nulls)
    try:
        return tree.sql(dialect="bigquery", unsupported_level=ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise WarehouseError(f"SQL cannot be expressed in BigQuery: {exc}") from exc
