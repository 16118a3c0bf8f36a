"""Config precedence (flag > env > file > default), file errors with line numbers, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoreterm.config import ConfigError, Settings, redacted, user_zone
from scoreterm.config_load import load_settings

FILE = """\
leagues = ["esp.1", "ger.1"]
timeout = 4

[espn]
url = "http://file.example"

[footballdata]
token = "file-token"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    loaded = load_settings(env={}, file=tmp_path / "missing.toml")
    assert loaded.settings == Settings()
    assert set(loaded.sources.values()) == {"default"}


def test_file_overrides_default(config_file: Path) -> None:
    loaded = load_settings(env={}, file=config_file)
    assert loaded.settings.leagues == ["esp.1", "ger.1"]
    assert loaded.settings.timeout == 4.0
    assert loaded.settings.espn_url == "http://file.example"
    assert loaded.settings.footballdata_token == "file-token"
    assert loaded.sources["espn_url"] == f"file {config_file}"
    assert loaded.sources["thesportsdb_url"] == "default"


def test_env_overrides_file(config_file: Path) -> None:
    env = {
        "SCORETERM_ESPN_URL": "http://env.example",
        "SCORETERM_TIMEOUT": "2.5",
        "SCORETERM_LEAGUES": "nba, nfl",
    }
    loaded = load_settings(env=env, file=config_file)
    assert loaded.settings.espn_url == "http://env.example"
    assert loaded.settings.timeout == 2.5
    assert loaded.settings.leagues == ["nba", "nfl"]
    assert loaded.sources["timeout"] == "env SCORETERM_TIMEOUT"


def test_flag_overrides_env(config_file: Path) -> None:
    env = {"SCORETERM_ESPN_URL": "http://env.example", "SCORETERM_TIMEOUT": "2.5"}
    loaded = load_settings({"timeout": 1.0, "espn_url": None}, env=env, file=config_file)
    assert loaded.settings.timeout == 1.0
    assert loaded.sources["timeout"] == "flag"
    # A flag left at None does not override.
    assert loaded.settings.espn_url == "http://env.example"


def test_empty_env_value_is_ignored(config_file: Path) -> None:
    loaded = load_settings(env={"SCORETERM_ESPN_URL": ""}, file=config_file)
    assert loaded.settings.espn_url == "http://file.example"


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('leagues = ["eng.1"]\ntimeout = \n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, file=path)
    assert str(path) in str(info.value)
    assert "line 2" in str(info.value)


def test_wrong_type_names_file_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('leagues = ["eng.1"]\n\n[espn]\nurl = 12\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, file=path)
    message = str(info.value)
    assert f"{path}, line 4" in message
    assert "espn.url" in message


def test_unknown_key_is_an_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('leagues = ["eng.1"]\nleauges = ["x"]\n')
    with pytest.raises(ConfigError, match=r"line 2: unknown setting 'leauges'"):
        load_settings(env={}, file=path)


def test_bad_env_value_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SCORETERM_TIMEOUT"):
        load_settings(env={"SCORETERM_TIMEOUT": "soon"}, file=tmp_path / "none.toml")


def test_redacted_hides_secrets_only() -> None:
    plain = redacted(Settings(footballdata_token="abc", thesportsdb_key=None))
    assert plain["footballdata_token"] == "***"
    assert plain["thesportsdb_key"] is None
    assert plain["espn_url"] == Settings().espn_url


def test_redis_url_from_file_env_and_flag_and_its_password_redacted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[redis]\nurl = "redis://:file-secret@cache:6379/0"\n')
    from_file = load_settings(env={}, file=path)
    assert from_file.settings.redis_url == "redis://:file-secret@cache:6379/0"
    assert from_file.sources["redis_url"] == f"file {path}"
    assert redacted(from_file.settings)["redis_url"] == "redis://:***@cache:6379/0"
    from_env = load_settings(env={"SCORETERM_REDIS_URL": "redis://env:6379/1"}, file=path)
    assert from_env.settings.redis_url == "redis://env:6379/1"
    assert redacted(from_env.settings)["redis_url"] == "redis://env:6379/1"
    from_flag = load_settings(
        {"redis_url": "redis://flag/0"}, env={"SCORETERM_REDIS_URL": "redis://env/1"}, file=path
    )
    assert from_flag.settings.redis_url == "redis://flag/0" and from_flag.sources["redis_url"] == "flag"


def test_user_zone_by_name_and_bad_name() -> None:
    assert str(user_zone("Europe/London")) == "Europe/London"
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        user_zone("Mars/Olympus")


# --- Bad values (issue 10): a ConfigError naming the file and line, the variable or the flag. ---

DEEP_ARRAY = "[" * 5_000 + "]" * 5_000
DEEP_TABLE = "{a = " * 500 + "1" + "}" * 500


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("timeout = nan", 1, "'timeout' must be"),
        ("timeout = -1", 1, "'timeout' must be"),
        ("timeout = 0", 1, "'timeout' must be"),
        ("timeout = inf", 1, "'timeout' must be"),
        ("timeout = 1e400", 1, "'timeout' must be"),
        ("timeout = 301", 1, "'timeout' must be"),
        ("interval = 0.1", 1, "'interval' must be"),
        ("interval = nan", 1, "'interval' must be"),
        ("delay = -1", 1, "'delay' must be"),
        ("delay = inf", 1, "'delay' must be"),
        (
            'bell = false\nleagues = ["premier"]',
            2,
            r"unknown league 'premier' in 'leagues' \(did you mean eng.1",
        ),
        ("leagues = []", 1, "'leagues' needs at least one league"),
        ('providers = ["espn", "bbc"]', 1, "unknown provider 'bbc' in 'providers'"),
        ("providers = []", 1, "'providers' needs at least one provider"),
        ('toasts = ["gaol"]', 1, "unknown toast 'gaol' in 'toasts'"),
        ('favourites = ["Arsenal", " "]', 1, "empty name in 'favourites'"),
        ('timezone = "Mars/Olympus"', 1, "unknown time zone 'Mars/Olympus'"),
        ('timezone = "../../etc/passwd"', 1, "unknown time zone"),
        ('\n[espn]\nurl = "notaurl"', 3, "'espn.url' must be a URL starting with http:// or https://"),
        (
            '[thesportsdb]\nurl = "ftp://x"',
            2,
            "'thesportsdb.url' must be a URL starting with http:// or https://",
        ),
        ('[redis]\nurl = "redis://cache\\u0007:6379"', 2, "'redis.url' must be a printable ASCII URL"),
        ('[espn]\nurl = "ftp://user:secret@host"', 2, r"got 'ftp://user:\*\*\*@host'"),
        ('[footballdata]\ntoken = "t\\u00f6ken"', 2, "'footballdata.token' must be printable ASCII"),
        ('[server]\ntoken = "a\\nb"', 2, "'server.token' must be printable ASCII"),
        ("max_response_bytes = 10", 1, "'max_response_bytes' must be"),
        ("max_response_bytes = 99999999999", 1, "'max_response_bytes' must be"),
        ("max_response_bytes = 1.5", 1, "bad value for 'max_response_bytes'"),
        (f"bell = true\n\nleagues = {DEEP_ARRAY}\n", 3, "nested too deeply"),
        (f"bell = true\nx = {DEEP_TABLE}\n", 2, "nested too deeply"),
        ("bell = true\ntimeout = " + "9" * 5_000, 2, "not valid TOML"),
    ],
)
def test_bad_file_values_name_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(env={}, file=path)
    assert str(info.value).startswith(f"config file {path}, line {line}: ")
    assert "\n" not in str(info.value)


def test_a_huge_config_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# padding\n" * 200_000)
    with pytest.raises(ConfigError, match=r"config file .*config\.toml, line 1: larger than 1 MiB"):
        load_settings(env={}, file=path)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SCORETERM_TIMEOUT", "nan", "'SCORETERM_TIMEOUT' must be"),
        ("SCORETERM_TIMEOUT", "-1", "'SCORETERM_TIMEOUT' must be"),
        ("SCORETERM_TIMEOUT", "0", "'SCORETERM_TIMEOUT' must be"),
        ("SCORETERM_INTERVAL", "0.1", "'SCORETERM_INTERVAL' must be"),
        ("SCORETERM_DELAY", "inf", "'SCORETERM_DELAY' must be"),
        (
            "SCORETERM_LEAGUES",
            "eng.1,premier",
            r"unknown league 'premier' in 'SCORETERM_LEAGUES' \(did you mean eng.1",
        ),
        ("SCORETERM_LEAGUES", ",", "needs at least one league"),
        ("SCORETERM_ESPN_URL", "espn.com", "must be a URL starting with http:// or https://"),
        ("SCORETERM_MAX_RESPONSE_BYTES", "1e400", "SCORETERM_MAX_RESPONSE_BYTES"),
        ("SCORETERM_BELL", "maybe", "SCORETERM_BELL"),
    ],
)
def test_bad_env_values_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(env={name: value}, file=tmp_path / "none.toml")
    assert str(info.value).startswith(f"environment variable {name}: ")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"timeout": float("nan")}, "option --timeout: '--timeout' must be"),
        ({"interval": 0.2}, "option --interval: '--interval' must be"),
        ({"delay": -3.0}, "option --delay: '--delay' must be"),
        ({"leagues": ["nope.1"]}, r"option --league: unknown league 'nope.1' in '--league' \(did you mean"),
        ({"providers": ["bbc"]}, "option --provider: unknown provider 'bbc'"),
    ],
)
def test_bad_flag_values_name_the_flag(tmp_path: Path, flags: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(flags, env={}, file=tmp_path / "none.toml")


def test_good_values_at_the_limits_load(tmp_path: Path) -> None:
    from scoreterm.config import MAX_TIMEOUT_S, MIN_INTERVAL_S, validate_settings

    path = tmp_path / "config.toml"
    path.write_text(
        f'timeout = {MAX_TIMEOUT_S}\ninterval = {MIN_INTERVAL_S}\ndelay = 0\ntimezone = ""\n'
        'leagues = ["ENG.1", "nba"]\nmax_response_bytes = 65536\n[redis]\nurl = "unix:///run/redis.sock"\n'
    )
    settings = load_settings(env={}, file=path).settings
    assert (settings.timeout, settings.interval, settings.max_response_bytes) == (300.0, 0.5, 65536)
    validate_settings(settings)
    validate_settings(Settings())


def test_validate_settings_rejects_a_struct_built_in_code() -> None:
    from scoreterm.config import validate_settings

    with pytest.raises(ConfigError, match="'timeout' must be"):
        validate_settings(Settings(timeout=-1.0))


def test_toast_kinds_match_the_tui() -> None:
    from scoreterm.config import TOAST_KINDS
    from scoreterm.tui.board import ToastKind

    assert set(TOAST_KINDS) == {kind.value for kind in ToastKind}
