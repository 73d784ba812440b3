"""One feature definition: the store's vector is what the systems compute, and they read it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from _support import DATA, SLICE
from nbaprops.core.errors import ModelError
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.precompute.feature_set import FEATURE_NAMES, FEATURE_SET, SQL_FEATURE_NAMES
from nbaprops.pipeline.predict.data import game_rows, load_public
from nbaprops.pipeline.predict.features import STORED_FEATURES, build_features
from nbaprops.pipeline.predict.model_registry import ModelMeta, ModelRegistry
from nbaprops.pipeline.predict.serve import day_inputs, store_features, store_version

DAY = dt.date(2025, 11, 7)


def test_the_store_holds_the_systems_features_as_the_walk_forward_computes_them(built: Runner) -> None:
    store = store_features(built.wh, DAY, DAY)
    assert len(store) > 100
    public = load_public(DATA, DAY, DAY)
    box = public.box[
        (public.box["game_date"] >= pd.Timestamp(SLICE[0])) & (public.box["game_date"] <= pd.Timestamp(DAY))
    ]
    feats = build_features(game_rows(box))  # the same history the warehouse holds
    mine = feats[feats["game_date"] == pd.Timestamp(DAY)].set_index("player_id")
    got = store.set_index("player_id")
    common = got.index.intersection(mine.index)
    assert len(common) >= 0.95 * len(got)
    names = [n for n in STORED_FEATURES if n != "is_home"]
    a = got.loc[common, names].astype(float)
    b = mine.loc[common, names].astype(float)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)
    assert a["exp_minutes"].notna().mean() > 0.9 and (a["teammates_out"] > 0).any()


def test_the_vector_is_versioned_and_named(built: Runner) -> None:
    (names, version, n) = built.wh.rows(
        "SELECT any_value(feature_names), any_value(feature_set), max(len(features)) FROM ml_feature_store"
    )[0]
    assert tuple(names) == FEATURE_NAMES and version == FEATURE_SET and n == len(FEATURE_NAMES)
    assert FEATURE_NAMES[: len(SQL_FEATURE_NAMES)] == SQL_FEATURE_NAMES
    assert store_version(built.wh, DAY) == FEATURE_SET


def test_predictions_read_the_store_rows(built: Runner) -> None:
    inputs = day_inputs(built.wh, DAY)
    store = store_features(built.wh, DAY, DAY)
    assert set(inputs.rows["player_id"]) == set(store["player_id"])
    hist = inputs.features[~inputs.features["is_target"]]
    assert hist["game_date"].max() < pd.Timestamp(DAY) and hist["points"].notna().all()
    # a store row edited in the warehouse is what the systems see
    pid = int(store["player_id"].iloc[0])
    i = FEATURE_NAMES.index("exp_pts") + 1
    built.wh.execute(
        f"UPDATE ml_feature_store SET features = list_concat(features[1:{i - 1}], [99.0], features[{i + 1}:]) "
        "WHERE game_date = $d AND player_id = $p",
        {"d": DAY, "p": pid},
    )
    again = day_inputs(built.wh, DAY).rows.set_index("player_id")
    assert again.loc[pid, "exp_pts"] == 99.0


def test_the_registry_refuses_a_model_of_another_feature_set_than_the_store(built: Runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reg = ModelRegistry(tmp_path, feature_set="points_v1")  # an old model
    meta = ModelMeta("lightgbm", "1", "points_v1", "2025-11-01", "2023-01-01", "2025-10-31", 10, 4.0)
    folder = reg.save(meta, "model text")
    store = ModelRegistry(tmp_path, feature_set=store_version(built.wh, DAY))
    with pytest.raises(
        ModelError, match=r"trained on feature set 'points_v1', but the feature store holds 'points_v2'"
    ) as e:
        store.load(folder)
    assert "\n" not in str(e.value)
