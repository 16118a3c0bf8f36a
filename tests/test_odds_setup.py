"""The Odds API from the user's side: its settings, and ``live_session`` building it only with a key.

The engine's use of the consensus is in ``test_engine_consensus.py``; here the same captured answer
is reached through the settings a user writes, on a fake clock over ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, timedelta
from pathlib import Path

import httpx
import pytest

from scoreterm import paths
from scoreterm.config import ConfigError, Settings, redacted
from scoreterm.config_load import load_settings
from scoreterm.domain.leagues import get_league
from scoreterm.engine.clock import FakeClock
from scoreterm.providers.oddsapi import OddsApiProvider
from scoreterm.session import ODDS_BUDGET_FILE, live_session, odds_consensus
from tests.test_engine_consensus import KICKOFF, Hosts


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path / "data")
    return tmp_path / "data"


def test_key_and_credits_from_file_and_env_and_the_key_is_a_secret(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[odds]\napi_key = "file-key"\ncredits = 120\n')
    loaded = load_settings(env={}, file=config)
    assert (loaded.settings.odds_api_key, loaded.settings.odds_api_credits) == ("file-key", 120)
    assert redacted(loaded.settings)["odds_api_key"] == "***"
    from_env = load_settings(env={"SCORETERM_ODDS_API_KEY": "env-key"}, file=config)
    assert from_env.settings.odds_api_key == "env-key" and from_env.sources["odds_api_key"].startswith("env")
    assert Settings().odds_api_credits == 500  # the free plan


@pytest.mark.parametrize("credits", ["-1", "100000000000"])
def test_a_credit_count_out_of_range_is_refused_by_name(tmp_path: Path, credits: str) -> None:
    with pytest.raises(ConfigError, match="SCORETERM_ODDS_API_CREDITS"):
        load_settings(env={"SCORETERM_ODDS_API_CREDITS": credits}, file=tmp_path / "none.toml")


async def test_no_key_or_no_credits_means_no_consensus_source(data_dir: Path) -> None:
    clock = FakeClock(KICKOFF)
    async with httpx.AsyncClient() as client:
        assert odds_consensus(Settings(), client, clock) is None
        assert odds_consensus(Settings(odds_api_key="k", odds_api_credits=0), client, clock) is None
        source = odds_consensus(Settings(odds_api_key="k", odds_api_credits=42), client, clock)
    assert isinstance(source, OddsApiProvider) and source.configured
    assert source.budget.monthly_limit == 42 and source.budget.path == data_dir / ODDS_BUDGET_FILE


async def test_a_live_session_with_a_key_attaches_the_consensus_and_counts_the_credit(data_dir: Path) -> None:
    hosts = Hosts()
    clock = FakeClock(KICKOFF - timedelta(minutes=10))
    settings = Settings(
        providers=["espn"], espn_url="http://espn.test", odds_api_url="http://odds.test", odds_api_key="k"
    )
    session = live_session(
        settings,
        [get_league("eng.1")],
        UTC,
        date_spec="2024-03-30",
        clock=clock,
        transport=httpx.MockTransport(hosts),
    )
    task = asyncio.create_task(session.engine.run())
    try:
        await clock.advance(120)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await session.aclose()
    assert hosts.odds_requests == 1
    (match,) = [m for m in session.engine.store.matches("eng.1") if m.away.name == "West Ham United"]
    assert match.consensus is not None and match.prob == match.consensus.prob
    assert json.loads((data_dir / ODDS_BUDGET_FILE).read_text())["used"] == 1
