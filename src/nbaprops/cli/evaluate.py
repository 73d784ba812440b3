"""Command `evaluate`: walk-forward evaluation of every prediction system against real lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import check_range, err, handle_errors, parse_date, print_json, print_table
from nbaprops.core.errors import InputError

__all__: list[str] = []


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.1%}"


def _ci(v: list[float | None] | None) -> str:
    if not v or v[0] is None or v[1] is None:
        return ""
    return f"[{v[0]:.1%}, {v[1]:.1%}]"


def _roi(v: float | None) -> str:
    return "" if v is None else f"{v:+.1%}"


def table_rows(systems: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """The evaluation table, one row per system."""
    return [
        [
            name,
            s["n"],
            s["mae"],
            s.get("mae_common"),
            s["n_edge1"],
            _pct(s["hit_rate_edge1"]),
            _ci(s["hit_rate_edge1_ci"]),
            s["n_edge3"],
            _pct(s["hit_rate_edge3"]),
            _ci(s["hit_rate_edge3_ci"]),
            s["n_bets"],
            _pct(s.get("bet_hit_rate")),
            _ci(s.get("bet_hit_rate_ci")),
            _roi(s["roi"]),
            _ci(s["roi_ci"]),
            s["brier"],
            s.get("brier_same_rows"),
            s.get("brier_market"),
            s.get("brier_normal"),
        ]
        for name, s in systems.items()
    ]


TABLE_COLUMNS = [
    "system",
    "N",
    "MAE",
    "MAE (common rows)",
    "N edge>=1",
    "hit edge>=1",
    "95% CI",
    "N edge>=3",
    "hit edge>=3",
    "95% CI",
    "bets",
    "bet hit",
    "95% CI",
    "ROI",
    "ROI 95% CI",
    "Brier",
    "Brier (rows with a market price)",
    "market Brier (same rows)",
    "Normal Brier (same rows)",
]


def market_rows(market: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """The market-aware calls table, one row per system (docs/evaluation.md)."""

    def bank(b: dict[str, Any]) -> str:
        return f"{b['final']:.1f} (DD {b['max_drawdown']:.0%}, {b['n_bets']})"

    rows = []
    for name, s in market.items():
        clv = s["clv"]
        rows.append(
            [
                name,
                s["n_eligible"],
                f"{s['brier_model']} / {s['brier_market']} / {s['brier_blend']}",
                s["n_bets"],
                _pct(s["hit_rate"]),
                _ci(s["hit_rate_ci"]),
                _pct(s["break_even"]),
                _roi(s["roi"]),
                _ci(s["roi_ci"]),
                _roi(s["roi_consensus_best"]),
                _roi(s["roi_consensus_median"]),
                f"{clv['clv_prob']:+.3f} ({clv['n_clv']})" if clv["n_clv"] else "n/a",
                bank(s["bankroll"]["kelly"]),
                bank(s["bankroll"]["flat"]),
            ]
        )
    return rows


MARKET_COLUMNS = [
    "system",
    "eligible",
    "Brier model / market / blend",
    "bets",
    "hit",
    "95% CI",
    "break-even",
    "ROI shopped",
    "ROI 95% CI",
    "ROI consensus best",
    "ROI consensus median",
    "CLV prob (n)",
    "Kelly bankroll",
    "flat bankroll",
]


@app.command("evaluate")
@handle_errors
def evaluate_cmd(
    start_date: Annotated[str, typer.Option(help="First date, YYYY-MM-DD.")],
    end_date: Annotated[str, typer.Option(help="Last date (inclusive), YYYY-MM-DD.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="Public data folder (same layout as ../shared/data/nba).")
    ] = None,
    cadence_days: Annotated[int, typer.Option(help="LightGBM retrain cadence in days.")] = 7,
    market: Annotated[
        str,
        typer.Option(help="Market (The Odds API name), e.g. player_threes, player_points_rebounds_assists."),
    ] = "player_points",
    every: Annotated[
        int, typer.Option(help="Walk every N-th date with lines of each season (1: every date).")
    ] = 1,
    distribution: Annotated[
        str, typer.Option(help="P(over) of the calls from the 'count' distribution or the 'normal'.")
    ] = "count",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Walk forward over the dates: every system sees only data before each date, then is graded.

    Reports N, MAE, hit rate at edge >= 1 and >= 3 (Wilson 95% intervals), the hit
    rate and ROI of the recommended bets at the real odds (95% intervals), the Brier
    score of P(over) beside the de-vigged market's on the same rows and the Normal's,
    for every system and the baselines season_average, l10 and the line, in one market
    (--market; edges in the market's units, docs/evaluation.md); then the market-aware
    calls (the model blended with the de-vigged market, graded at the best number and
    price across books), their closing-line value where snapshots allow, and a bankroll
    simulation (capped fractional Kelly beside flat staking).
    Each season is walked from its first date with lines; the graded rows are written
    through the runner to evaluation_predictions (one ledger row per date, unchanged
    dates skipped) under NBAPROPS_HOME, and the report is read back from that table.

    Example: nbaprops evaluate --start-date 2025-10-21 --end-date 2025-11-21 --json
    Example: nbaprops evaluate --market player_threes --start-date 2024-10-22 --end-date 2025-04-13
    """
    from nbaprops.ops.predict import evaluate_range  # pandas & co load only when evaluating
    from nbaprops.pipeline.predict.markets import get_market

    get_market(market)  # an unknown market is a one-line error before anything loads
    if distribution not in ("count", "normal"):
        raise InputError(f"--distribution must be 'count' or 'normal', not {distribution!r}")
    check_range(every, what="--every", low=1, high=100)
    start = parse_date(start_date, what="--start-date")
    end = parse_date(end_date, what="--end-date")
    if start is None or end is None:
        raise InputError("give --start-date and --end-date")
    check_range(cadence_days, what="--cadence-days", low=1, high=366)
    s = settings()
    if data_dir is not None:
        s = s.model_copy(update={"data_dir": data_dir})

    def tick(day: object, n: int) -> None:
        if not as_json:
            err.print(f"{day}: {n} player-games", highlight=False)

    rep = evaluate_range(
        s,
        start,
        end,
        cadence_days=cadence_days,
        on_date=tick,
        market=market,
        every=every,
        distribution="count" if distribution == "count" else "normal",
    )
    if as_json:
        print_json(rep.to_json())
        return
    print_table(
        table_rows(rep.systems),
        columns=TABLE_COLUMNS,
        title=(
            f"Walk-forward {rep.market} {rep.start} .. {rep.end} ({rep.dates} dates with lines, "
            f"{rep.voids} void lines, {rep.unresolved} unmatched names)"
        ),
    )
    if rep.market_calls:
        start_bank = next(iter(rep.market_calls.values()))["bankroll"]["kelly"]["start"]
        print_table(
            market_rows(rep.market_calls),
            columns=MARKET_COLUMNS,
            title=(
                "Market-aware calls: model-market blend, best number and price across books, "
                f"bankroll from {start_bank:g} units (final, max drawdown, bets)"
            ),
        )
    for note in rep.notes:
        err.print(note)
    err.print(f"{rep.seconds:.1f}s")
