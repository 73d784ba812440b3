"""The dashboard in headless Chromium against the app serving a warehouse built from real data.

Every page loads without console errors, its charts have marks, the picks table shows the
rows the API returns, and a click on a player opens their page.  Screenshots of every page
go to ``build/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors and uncaught exceptions."""
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = ctx.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


def _shoot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert page.errors == [], page.errors


def _open(page: Any, url: str, shots: Path, name: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    _shoot(page, shots, name)


def test_today_table_matches_the_api_and_opens_a_player(
    page: Any, base_url: str, client: TestClient, day: str, screenshots: Path
) -> None:
    _open(page, f"{base_url}/dashboard?date={day}&side=OVER", screenshots, "today")
    api = client.get("/picks", params={"date": day, "side": "OVER", "limit": 100}).json()
    assert api["total"] > 0
    rows = page.locator("#picks tbody tr")
    assert rows.count() == len(api["items"])
    shown = [
        (r.get_attribute("data-player-id"), r.get_attribute("data-source"), r.get_attribute("data-system"))
        for r in rows.all()
    ]
    assert shown == [(str(p["player_id"]), p["source"], p["system"]) for p in api["items"]]
    first = rows.first.locator("td")
    assert first.nth(4).inner_text() == f"{api['items'][0]['line']:.1f}"
    assert page.locator("#pick-total").inner_text() == str(api["total"])

    name = api["items"][0]["player_name"]
    rows.first.locator("a.player").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/dashboard/players/{api['items'][0]['player_id']}")
    assert page.locator("#player-name").inner_text() == name
    assert page.locator("#chart-player .scatterlayer .trace").count() >= 2  # points + line (+ predictions)
    assert page.locator("#chart-player .scatterlayer .point").count() > 0
    _shoot(page, screenshots, "player")


def test_today_filters_and_sort(
    page: Any, base_url: str, client: TestClient, day: str, screenshots: Path
) -> None:
    _open(page, f"{base_url}/dashboard", screenshots, "today-empty")  # today (2026-11-25): no games
    assert "No calls for 2026-11-25" in page.locator("#no-calls").inner_text()
    page.click(f"#no-calls a:text('{day}')")  # the latest date with calls
    page.wait_for_load_state("networkidle")
    api = client.get("/picks", params={"date": day}).json()
    assert page.locator("#pick-total").inner_text() == str(api["total"])
    _shoot(page, screenshots, "today-all")
    book = api["books"][0]
    page.select_option("select[name=book]", book)
    page.click("form.filters button")
    page.wait_for_load_state("networkidle")
    books = page.locator("#picks tbody tr td:nth-child(6)").all_inner_texts()
    assert books and set(books) == {book}
    page.click("#picks th a:text('Player')")
    page.wait_for_load_state("networkidle")
    names = page.locator("#picks tbody a.player").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    assert page.errors == [], page.errors


def test_performance_charts_have_marks(
    page: Any, base_url: str, client: TestClient, screenshots: Path
) -> None:
    _open(page, f"{base_url}/dashboard/performance", screenshots, "performance")
    grades = client.get("/grades").json()
    systems = {(g["source"], g["system"]) for g in grades["items"] if g["n_bets"]}
    assert systems
    for chart in ("#chart-hit", "#chart-roi"):
        assert page.locator(f"{chart} .main-svg").count() > 0
        lines = page.locator(f"{chart} .scatterlayer .trace path.js-line")
        assert lines.count() >= len(systems)  # one line per system with bets (+ band edges)
        fills = page.locator(f"{chart} .scatterlayer .trace path.js-fill")
        assert fills.count() >= 1  # the 95% bands
    assert page.locator("#chart-calibration .scatterlayer .point").count() > 0
    assert page.locator("#edges tbody tr").count() > 0
    assert page.locator("#summary tbody tr").count() == grades["total"]


def test_data_health_heatmap_has_cells(
    page: Any, base_url: str, client: TestClient, screenshots: Path
) -> None:
    _open(page, f"{base_url}/dashboard/health?season=2025-26", screenshots, "data-health")
    assert page.locator("#chart-coverage .heatmaplayer image, #chart-coverage .hm image").count() > 0
    report = client.get("/coverage", params={"season": "2025-26"}).json()
    assert page.locator("#alarm-count").inner_text() == str(report["alarms"])
    assert page.locator("#drift tbody tr").count() > 0


def test_api_docs_render_offline(page: Any, base_url: str, screenshots: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _open(page, f"{base_url}/docs", screenshots, "api-docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/health", "/picks", "/grades", "/coverage", "/runs"} <= {p.strip() for p in paths}
    assert all(u.startswith((base_url, "data:")) for u in requested), requested  # nothing from a CDN
    _shoot(page, screenshots, "api-docs")
