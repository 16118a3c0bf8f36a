"""Calibration of the win-probability model against the market and against ESPN's own numbers.

Run: ``.venv/bin/python bench/calibration.py`` (a few seconds). No network.

a. **Soccer, live World Cup frames** — every live event of the captured ESPN scoreboards in
   ``tests/fixtures/espn_soccer/fifa.world_scoreboard_live_*.json``. Where the frame has a live
   1X2 price (``competitions[0].odds[0].moneyline.*.current.odds``), the market's probability
   (Shin de-margined) and the model's (from the pre-match ``close`` price, the score, the minute
   and the red cards, through ``probability_for_match``) are scored on the 90-minute result taken
   from ``fifa.world_scoreboard_all_finished_knockouts.json`` (goals up to 90'+x). Baselines in the
   same run: a uniform 1/3 forecast and the pre-match price alone (what you knew at kick-off).
   Then every live frame, extra time included, is scored as a knock-out (P(home advances)) on who
   went through, against a 50/50 baseline.
b. **US summaries** — at every point of ESPN's ``winprobability[]`` (NBA, NFL, MLB) joined to its
   play, the model (Stern's Brownian motion, its drift set from ESPN's own first, pre-game point)
   against ESPN's number: mean absolute difference, and both scored on the final result, with a
   50/50 baseline.

Scores: Brier (sum of squared errors over the outcomes; 0 is perfect, uniform 1X2 is 0.667) and log
loss (natural log). Lower is better; the ratio column is the contender over the baseline.

The data set is tiny: 6 soccer frames with a live price, 8 live frames in all, 3 US games
(points within a game are strongly correlated). The figures show the model is sane and of the
market's order, no more; they cannot rank close contenders.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from _common import FIXTURES, print_header

from scoreterm.domain.model import Match, MoneyLine, Odds, PhaseState, Sport, WinProbability
from scoreterm.domain.prob_clock import parse_minute
from scoreterm.domain.prob_market import demargin_proportional, market_probability
from scoreterm.domain.probability import in_play_probability, probability_for_match
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.providers.espn_odds import parse_american
from scoreterm.providers.espn_winprob import summary_plays

SOCCER = FIXTURES / "espn_soccer"
FINISHED = SOCCER / "fifa.world_scoreboard_all_finished_knockouts.json"
SUMMARIES = {
    Sport.BASKETBALL: FIXTURES / "espn_summary_us" / "nba_summary_401772994_winprobability.json",
    Sport.FOOTBALL: FIXTURES / "espn_summary_us" / "nfl_summary_401547417_winprobability.json",
    Sport.BASEBALL: FIXTURES / "espn_summary_us" / "mlb_summary_401472463_winprobability.json",
}
OUTCOMES = ("home", "draw", "away")
_CLIP = 1e-15


def brier(probs: Sequence[float], outcome: int) -> float:
    """Sum of squared errors over the outcomes (``outcome`` is the index that happened)."""
    return sum((p - (1.0 if i == outcome else 0.0)) ** 2 for i, p in enumerate(probs))


def log_loss(probs: Sequence[float], outcome: int) -> float:
    """Minus the natural log of the probability given to what happened."""
    return -math.log(min(max(probs[outcome], _CLIP), 1.0))


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def _moneyline(event: Mapping[str, Any], moment: str) -> MoneyLine:
    odds = (event["competitions"][0].get("odds") or [None])[0] or {}
    line = odds.get("moneyline") or {}
    prices = {k: parse_american(((line.get(k) or {}).get(moment) or {}).get("odds")) for k in OUTCOMES}
    return MoneyLine(**prices)


def _results() -> dict[str, tuple[int, int]]:
    """Event id -> (index of the 90-minute result in OUTCOMES, 0/1 whether home went through)."""
    results: dict[str, tuple[int, int]] = {}
    for event in _load(FINISHED)["events"]:
        competition = event["competitions"][0]
        sides = {c["team"]["id"]: c["homeAway"] for c in competition["competitors"]}
        goals = {"home": 0, "away": 0}
        for row in competition.get("details", []):
            minute = parse_minute((row.get("clock") or {}).get("displayValue", ""))
            if row.get("scoringPlay") and not row.get("shootout") and minute and minute[0] <= 90:
                goals[sides[row["team"]["id"]]] += 1
        lead = goals["home"] - goals["away"]
        regulation = 0 if lead > 0 else 2 if lead < 0 else 1
        home = next(c for c in competition["competitors"] if c["homeAway"] == "home")
        results[event["id"]] = (regulation, 1 if home.get("winner") else 0)
    return results


class Scores:
    """Running Brier and log-loss totals for one contender."""

    def __init__(self) -> None:
        self.brier: list[float] = []
        self.log: list[float] = []

    def add(self, probs: Sequence[float], outcome: int) -> None:
        self.brier.append(brier(probs, outcome))
        self.log.append(log_loss(probs, outcome))

    def mean(self) -> tuple[float, float]:
        n = max(len(self.brier), 1)
        return sum(self.brier) / n, sum(self.log) / n


def _table(title: str, rows: dict[str, Scores], baseline: str) -> None:
    base_brier, base_log = rows[baseline].mean()
    count = len(rows[baseline].brier)
    print(f"{title} (n = {count})")
    print(f"  {'contender':<34}{'Brier':>8}{'ratio':>8}{'log loss':>10}{'ratio':>8}")
    for name, scores in rows.items():
        b, lg = scores.mean()
        print(f"  {name:<34}{b:>8.3f}{b / base_brier:>8.2f}{lg:>10.3f}{lg / base_log:>8.2f}")
    print()


def _three(prob: WinProbability) -> tuple[float, float, float]:
    return prob.home, prob.draw or 0.0, prob.away


def soccer() -> None:
    """Model vs market on live World Cup frames (1X2), and every live frame as a knock-out."""
    results = _results()
    names = ("market (Shin)", "market (proportional)", "model", "pre-match price only", "uniform 1/3")
    one_x_two = {name: Scores() for name in names}
    advance = {name: Scores() for name in ("model", "market where priced, else model", "50/50")}
    print("frames:")
    for path in sorted(SOCCER.glob("fifa.world_scoreboard_live_*.json")):
        payload = _load(path)
        events = {e["id"]: e for e in payload["events"]}
        for match in normalize_scoreboard(payload, "fifa.world", Sport.SOCCER):
            if match.phase.state not in (PhaseState.LIVE, PhaseState.BREAK):
                continue
            event_id = match.provider_ids.get("espn", match.id.removeprefix("espn-"))
            event = events[event_id]
            outcome, went_through = results[event_id]
            prematch = market_probability(_moneyline(event, "close"))
            live_line = _moneyline(event, "current")
            live = market_probability(live_line)
            model = probability_for_match(match, prematch=prematch)
            ko_model = probability_for_match(match, prematch=prematch, knockout=True)
            ko_market = probability_for_match(
                match, prematch=prematch, knockout=True, live_odds=Odds(provider="espn", moneyline=live_line)
            )
            _frame_line(match, live, model, ko_model, OUTCOMES[outcome], went_through)
            through = 1 - went_through  # the index of the side that went through
            if ko_model is not None and ko_market is not None:
                advance["model"].add((ko_model.home, ko_model.away), through)
                advance["market where priced, else model"].add((ko_market.home, ko_market.away), through)
                advance["50/50"].add((0.5, 0.5), through)
            if live is None or model is None or prematch is None:
                continue
            prices = [_decimal(v) for v in (live_line.home, live_line.draw, live_line.away) if v is not None]
            proportional = demargin_proportional(prices) or [1 / 3] * 3
            one_x_two["market (Shin)"].add(_three(live), outcome)
            one_x_two["market (proportional)"].add(proportional, outcome)
            one_x_two["model"].add(_three(model), outcome)
            one_x_two["pre-match price only"].add(_three(prematch), outcome)
            one_x_two["uniform 1/3"].add((1 / 3, 1 / 3, 1 / 3), outcome)
    print()
    _table("a. 90-minute result, frames with a live price", one_x_two, "uniform 1/3")
    model_b, _ = one_x_two["model"].mean()
    market_b, _ = one_x_two["market (Shin)"].mean()
    print(f"  model / market Brier ratio: {model_b / market_b:.2f}\n")
    _table("a. who went through, every live frame", advance, "50/50")


def _decimal(american: int) -> float:
    return 1 + american / 100 if american > 0 else 1 + 100 / -american


def _frame_line(
    match: Match,
    live: WinProbability | None,
    model: WinProbability | None,
    ko: WinProbability | None,
    result: str,
    went_through: int,
) -> None:
    def fmt(p: WinProbability | None) -> str:
        if p is None:
            return "      -       "
        return f"{p.home:.2f}/{p.draw or 0:.2f}/{p.away:.2f}"

    cards = sum(1 for e in match.events if e.kind.value == "red_card")
    print(
        f"  {match.home.abbrev}-{match.away.abbrev} {match.score} {match.clock:<7} {match.phase.label:<3} "
        f"reds {cards}  market {fmt(live)}  model {fmt(model)}  "
        f"advance {ko.home if ko else float('nan'):.2f}  result {result}, home through {went_through}"
    )


def us() -> None:
    """The margin model against ESPN's own win probability on the US summaries."""
    for sport, path in SUMMARIES.items():
        plays = summary_plays(_load(path))
        final = next((p.score for p in reversed(plays) if p.score is not None), None)
        if not plays or final is None:
            continue
        home_won = 0 if final.home > final.away else 1
        prior = WinProbability(home=plays[0].prob.home, away=plays[0].prob.away, source="espn")
        rows = {name: Scores() for name in ("ESPN", "model", "50/50")}
        gaps: list[float] = []
        for play in plays:
            if play.score is None or play.period <= 0:
                continue
            model = in_play_probability(
                sport,
                home_score=play.score.home,
                away_score=play.score.away,
                clock=play.clock,
                period=play.period,
                label=play.label(sport),
                prematch=prior,
            )
            gaps.append(abs(model.home - play.prob.home))
            rows["ESPN"].add((play.prob.home, play.prob.away), home_won)
            rows["model"].add((model.home, model.away), home_won)
            rows["50/50"].add((0.5, 0.5), home_won)
        _table(f"b. {sport.value} ({path.name}, final {final})", rows, "50/50")
        ordered = sorted(gaps)
        print(
            f"  |model - ESPN| on P(home): mean {sum(gaps) / len(gaps):.3f}, "
            f"median {ordered[len(ordered) // 2]:.3f}, max {ordered[-1]:.3f}\n"
        )


def main() -> None:
    """Print every table and the time the whole run took."""
    print_header("Win probability calibration")
    started = time.perf_counter()
    soccer()
    us()
    print(f"done in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
