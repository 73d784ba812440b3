"""Model registry: metadata stored, other feature sets refused, no model from the future."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from nbaprops.core.errors import ModelError
from nbaprops.pipeline.predict.data import game_rows
from nbaprops.pipeline.predict.features import FEATURE_SET, build_features
from nbaprops.pipeline.predict.model_registry import ModelMeta, ModelRegistry
from nbaprops.pipeline.predict.systems import LightGBMSystem


def _meta(**kw: object) -> ModelMeta:
    base = {
        "system": "lightgbm",
        "version": "1",
        "feature_set": FEATURE_SET,
        "as_of": "2025-11-03",
        "train_start": "2022-11-01",
        "train_end": "2025-11-02",
        "train_rows": 10,
        "phi": 4.0,
        "metrics": {"holdout_mae": 4.9},
    }
    base.update(kw)
    return ModelMeta(**base)  # type: ignore[arg-type]


def test_model_from_another_feature_set_is_refused(tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    folder = reg.save(_meta(feature_set="fs0-old"), "tree")
    with pytest.raises(ModelError, match="feature set 'fs0-old'"):
        reg.load(folder)


def test_latest_never_returns_a_model_trained_for_a_later_date(tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    reg.save(_meta(as_of="2025-11-03"), "a")
    reg.save(_meta(as_of="2025-11-10"), "b")
    assert reg.latest("lightgbm", dt.date(2025, 11, 9)) == tmp_path / "lightgbm" / "2025-11-03"
    assert reg.latest("lightgbm", dt.date(2025, 11, 2)) is None


def test_lightgbm_round_trip_keeps_predictions_and_window(tmp_path: Path, box: pd.DataFrame) -> None:
    day = dt.date(2025, 11, 4)
    recent = box[box["season"].isin(["2024-25", "2025-26"])]
    feats = build_features(game_rows(recent))
    gbm = LightGBMSystem(train_days=200)
    gbm.fit(feats, day)
    reg = ModelRegistry(tmp_path)
    gbm.to_registry(reg)
    again = LightGBMSystem()
    assert again.from_registry(reg, day)
    assert again.train_window == gbm.train_window
    assert gbm.train_window is not None and gbm.train_window[1] < day
    rows = feats[feats["game_date"] == pd.Timestamp(day)]
    pd.testing.assert_series_equal(
        pd.Series(gbm.predict(rows).mean), pd.Series(again.predict(rows).mean), check_exact=False
    )
    assert not again.due(day)
