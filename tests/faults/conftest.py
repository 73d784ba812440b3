"""Fault-injection suite: every test records the faults it injected and survived.

Each test writes ``build/faults/<test>.json`` ({class: [injected, survived]}) through the
`tally` fixture; `faults.report` adds them up at the end of the session.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from faults.report import OUT, Tally


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    t = Tally()
    yield t
    OUT.mkdir(parents=True, exist_ok=True)
    name = request.node.nodeid.split("::", 1)[1].replace("/", "_").replace("[", "-").replace("]", "")
    (OUT / f"{name}.json").write_text(json.dumps(t.counts))
