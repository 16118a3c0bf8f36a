"""Config precedence (flag > env > file > default), file errors with line numbers, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoreterm.config import ConfigError, Settings, load_settings, redacted, user_zone

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
