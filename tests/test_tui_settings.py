"""Settings that stick: ``f``, ``s``, ``l`` and ``w`` save to the config file (comments and layout
kept, atomically), and what they saved is there after a restart."""

from __future__ import annotations

import stat
from datetime import UTC
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.widgets import DataTable

from scoreterm.config import ConfigError
from scoreterm.config_load import load_settings
from scoreterm.config_write import set_setting
from scoreterm.domain.model import SnapshotUpdate, Update
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.rows import is_header
from scoreterm.tui.screens.scoreboard import ScoreboardScreen
from tests.tui_helpers import AT, ScriptedFeed, opening_day, snapshot, until

COMMENTED = """\
# scoreterm config: mine, with notes
leagues = ["fifa.world"]   # the World Cup

favourites = [
    "Arsenal",  # since 1998
]

[espn]
# the default, written out
url = "https://site.api.espn.com"
"""
SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


def app_on(
    config: Path, updates: list[Update] | None = None, leagues: list[str] | None = None
) -> ScoretermApp:
    """The dashboard as `watch` builds it: settings loaded from ``config``, saving back to it."""
    settings = load_settings(file=config, env={}).settings
    options = AppOptions(settings=settings, zone=UTC, leagues=leagues or settings.leagues, config_file=config)
    return make_app(ScriptedFeed(updates or [snapshot(opening_day())]), options)


def rows(app: ScoretermApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [
        [str(c) for c in table.get_row_at(i)]
        for i, row in enumerate(table.ordered_rows)
        if not is_header(str(row.key.value))
    ]


def said(app: ScoretermApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_f_says_which_team_it_starred_and_it_survives_a_restart(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    app = app_on(config)
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("home")  # Mexico v South Africa, live
        await pilot.press("f")
        await until(pilot, lambda: any("starred" in m for m in said(app)))
        assert "Mexico starred · press f again for South Africa (saved to config.toml)" in said(app)
    text = config.read_text()
    # The user's comments, blank lines and layout are all still there; Mexico joined the list.
    assert text == COMMENTED.replace(
        '    "Arsenal",  # since 1998\n', '    "Arsenal",  # since 1998\n    "Mexico",\n'
    )
    assert load_settings(file=config, env={}).settings.favourites == ["Arsenal", "Mexico"]

    restarted = app_on(config)
    async with restarted.run_test(size=size) as pilot:
        await until(pilot, lambda: len(rows(restarted)) == 2)
        mexico = next(row for row in rows(restarted) if row[2].startswith("Mexico"))
        assert mexico[0] == "★"


async def test_f_cycles_first_team_second_team_neither(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = app_on(config)  # no file yet: the first save creates it
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("home", "f")
        await until(pilot, lambda: app.favourites == ["Mexico"])
        await pilot.press("f")
        await until(pilot, lambda: app.favourites == ["South Africa"])
        assert any(m.startswith("South Africa starred · Mexico unstarred") for m in said(app))
        await pilot.press("f")
        await until(pilot, lambda: app.favourites == [])
    assert load_settings(file=config, env={}).settings.favourites == []
    assert stat.S_IMODE(config.stat().st_mode) == 0o600  # a new config file is the user's alone


async def test_a_saved_team_the_environment_overrides_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = app_on(config)
    app.saver.environ = {"SCORETERM_FAVOURITES": "Arsenal"}  # as if exported in the shell
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("home", "f")
        await until(pilot, lambda: any("starred" in m for m in said(app)))
        assert (
            "Mexico starred · press f again for South Africa "
            "(saved to config.toml, but SCORETERM_FAVOURITES overrides it)"
        ) in said(app)
    assert load_settings(file=config, env={}).settings.favourites == ["Mexico"]


async def test_s_keeps_a_team_spoiler_free_and_saves_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    app = app_on(config)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("home", "s")
        await until(pilot, lambda: rows(app)[0][3] == "? - ?")
        assert any(m.startswith("Mexico scores hidden until r") for m in said(app))
    assert load_settings(file=config, env={}).settings.spoiler_free == ["Mexico"]
    assert "# the World Cup" in config.read_text()


async def test_l_with_one_league_says_so_and_saves_nothing(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    app = app_on(config)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("l")
        await until(pilot, lambda: bool(said(app)))
        assert said(app)[0].startswith("Only FIFA World Cup here: follow more with --league")
    assert config.read_text() == COMMENTED


async def test_l_picks_the_league_shown_and_it_sticks(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED.replace('leagues = ["fifa.world"]', 'leagues = ["fifa.world", "epl"]'))
    mex, kor = opening_day()
    derby = msgspec.structs.replace(kor, id="espn-derby", league="eng.1")
    board = [
        snapshot([mex, kor]),
        SnapshotUpdate(channel="league:eng.1", at=AT, matches=(derby,)),
    ]
    app = app_on(config, board)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 3)
        await pilot.press("l")  # all -> the World Cup
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("l")  # -> the Premier League
        await until(pilot, lambda: len(rows(app)) == 1)
        assert any(m.startswith("Showing English Premier League") for m in said(app))
    assert load_settings(file=config, env={}).settings.view_league == "eng.1"

    restarted = app_on(config, board)
    async with restarted.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(restarted.board.matches) and len(restarted.board.matches) == 3)
        screen = restarted.screen
        assert isinstance(screen, ScoreboardScreen) and screen.league == "eng.1"
        await until(pilot, lambda: len(rows(restarted)) == 1)


async def test_w_is_saved_too(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = app_on(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("w")
        await until(pilot, lambda: app.win_column)
    assert load_settings(file=config, env={}).settings.win_column is True


async def test_a_save_that_fails_says_so_and_keeps_the_change_for_the_session(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    app = app_on(config)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app.saver.file = blocker / "config.toml"  # its folder cannot be created, even by root
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("home", "f")
        await until(pilot, lambda: any("not saved" in m for m in said(app)))
        assert any(m.startswith("Mexico starred") and "not saved: cannot" in m for m in said(app))
        assert app.favourites == ["Arsenal", "Mexico"]


# -- the writer ------------------------------------------------------------------------------------


def test_a_broken_file_is_not_overwritten(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('leagues = ["eng.1"\n# half-edited\n')
    with pytest.raises(ConfigError, match=f"config file {config}, line"):
        set_setting(config, "favourites", ["Mexico"])
    assert config.read_text() == 'leagues = ["eng.1"\n# half-edited\n'


def test_a_symlinked_config_stays_a_symlink_and_keeps_its_mode(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "scoreterm.toml"
    real.write_text(COMMENTED)
    real.chmod(0o640)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    set_setting(link, "bell", True)
    assert link.is_symlink() and "bell = true" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in dotfiles.iterdir()) == ["scoreterm.toml"]  # no temp file left


def test_a_value_that_breaks_a_rule_is_refused_before_writing(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    for key, value in (("leagues", ["premier"]), ("timeout", 0), ("notify_for", "some"), ("nope", 1)):
        with pytest.raises(ConfigError):
            set_setting(config, key, value)
    assert config.read_text() == COMMENTED


def test_settings_are_written_in_their_table(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    set_setting(config, "espn_url", "http://127.0.0.1:9")
    set_setting(config, "redis.url", "redis://127.0.0.1:6379/0")
    text = config.read_text()
    assert 'url = "http://127.0.0.1:9"' in text and "# the default, written out" in text
    loaded: Any = load_settings(file=config, env={}).settings
    assert loaded.espn_url == "http://127.0.0.1:9" and loaded.redis_url == "redis://127.0.0.1:6379/0"
    set_setting(config, "redis.url", None)
    assert "[redis]" in config.read_text() and "redis://" not in config.read_text()
