"""The columns calls can be sorted by (a module of its own so the CLI's help loads nothing else)."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["SORT_NAMES", "SortKey"]

SortKey = Literal[
    "edge", "p_over", "prediction", "line", "price", "stake", "player", "game", "system", "side", "book"
]
"""A sort column: numbers largest first (``edge`` by its size), text A to Z."""

SORT_NAMES: tuple[str, ...] = get_args(SortKey)
