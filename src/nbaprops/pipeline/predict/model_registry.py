"""Trained models on disk, with what they were trained on.

A model is a folder ``<root>/<system>/<as_of>/`` holding ``model.txt``
(LightGBM's text format) and ``meta.json``: system, version, feature_set,
the training window, row count, metrics.  `load` refuses a model whose
feature set is not the feature store's (the version ``ml_feature_store`` holds for the
date, which the coordinator passes; by default the code's `features.FEATURE_SET`, the
version the store is built with) with a one-line `ModelError`, and
`latest` only returns models trained for a date on or before the one asked
for, so a stored model can never carry information from the future.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nbaprops.core.errors import ModelError
from nbaprops.pipeline.predict.features import FEATURE_SET

__all__ = ["ModelMeta", "ModelRegistry"]


@dataclass(frozen=True)
class ModelMeta:
    """What a stored model was trained on."""

    system: str
    version: str
    feature_set: str
    as_of: str
    """The date the model was trained for (every training row is dated before it)."""
    train_start: str
    train_end: str
    train_rows: int
    phi: float
    metrics: dict[str, float] = field(default_factory=dict)


class ModelRegistry:
    """Stores and loads models under a root folder (``<home>/models`` by default).

    Args:
        root: the folder.
        feature_set: the feature set models must match: the store's (None or omitted: the
            code's `FEATURE_SET`, which the store is built with).
    """

    def __init__(self, root: Path, *, feature_set: str | None = FEATURE_SET) -> None:
        self.root = Path(root)
        self.feature_set = feature_set or FEATURE_SET

    def save(self, meta: ModelMeta, model_text: str) -> Path:
        """Write a model and its metadata; return its folder."""
        folder = self.root / meta.system / meta.as_of
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.txt").write_text(model_text)
        (folder / "meta.json").write_text(json.dumps(asdict(meta), indent=1))
        return folder

    def load(self, folder: Path) -> tuple[ModelMeta, str]:
        """A model and its metadata.

        Raises:
            ModelError: the folder has no model, or it was built for another feature set.
        """
        meta_path = Path(folder) / "meta.json"
        if not meta_path.is_file():
            raise ModelError(f"no model metadata at {meta_path}")
        raw: dict[str, Any] = json.loads(meta_path.read_text())
        meta = ModelMeta(**raw)
        if meta.feature_set != self.feature_set:
            raise ModelError(
                f"model {folder} was trained on feature set {meta.feature_set!r}, "
                f"but the feature store holds {self.feature_set!r}: retrain it "
                "(nbaprops predict retrains when no usable model exists)"
            )
        return meta, (Path(folder) / "model.txt").read_text()

    def latest(self, system: str, on_or_before: dt.date) -> Path | None:
        """The newest model folder of a system trained for a date <= `on_or_before`."""
        base = self.root / system
        if not base.is_dir():
            return None
        found = sorted(p for p in base.iterdir() if p.is_dir() and p.name <= on_or_before.isoformat())
        return found[-1] if found else None
