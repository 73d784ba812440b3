"""The registry is the one place processors are composed, and it misses none."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import nbaprops.pipeline
import nbaprops.pipeline.scrape
from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.registry import PROCESSORS, default_registry

PACKAGE_ROOT = Path(nbaprops.__file__).parent


def _declared() -> dict[str, Processor]:
    """Every Processor bound at module level anywhere under nbaprops.pipeline."""
    found: dict[str, Processor] = {}
    for info in pkgutil.walk_packages(nbaprops.pipeline.__path__, "nbaprops.pipeline."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            items = value if isinstance(value, tuple) else (value,)
            for p in items:
                if isinstance(p, Processor):
                    found[p.name] = p
    return found


def test_every_declared_processor_is_registered_once() -> None:
    declared = _declared()
    reg = default_registry()
    assert set(declared) == set(reg.by_name)
    assert len(PROCESSORS) == len(reg.by_name)
    for name, p in declared.items():
        assert reg.by_name[name] is p


def test_the_scrape_package_exports_phase_1_only() -> None:
    exported = [
        p
        for name in nbaprops.pipeline.scrape.__all__
        for v in [getattr(nbaprops.pipeline.scrape, name)]
        for p in (v if isinstance(v, tuple) else (v,))
        if isinstance(p, Processor)
    ]
    assert exported, "the scrape package exports its processors"
    assert {p.phase for p in exported} == {1}
    assert {p.name for p in exported} == {p.name for p in PROCESSORS if p.phase == 1}


def test_source_file_names_the_sql_model_or_the_build_module() -> None:
    reg = default_registry()
    for p in reg.by_name.values():
        path = PACKAGE_ROOT / p.source_file
        assert path.is_file(), (p.name, p.source_file)
        if p.sql is not None:
            assert path.suffix == ".sql" and path.resolve() == p.sql.resolve()
            assert (path.read_text() == p.sql_text()) == (not p.sql_uses)  # shared queries inlined
        else:
            assert p.build is not None and path.suffix == ".py"
            assert f"def {p.build.__name__}(" in path.read_text(), (p.name, p.source_file)
    assert reg.get("player_game_summary").source_file == "pipeline/analytics/player_game_summary.sql"
    assert reg.calendar_source.source_file == "pipeline/raw/schedule.py"
