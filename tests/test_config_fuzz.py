"""Fuzz the settings loader: any TOML file, any environment, any flag values.

``load_settings`` must either return settings that pass :func:`validate_settings` or raise a
one-line :class:`ConfigError`, never anything else. Documents are built from the real keys (so
the checks are reached, not only the parser) and from random ones, with every TOML value type,
deep nesting and huge numbers. ``SCORETERM_FUZZ_EXAMPLES`` raises the example count for a long run.
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scoreterm.config import _FILE_KEYS, ConfigError, Settings, env_name, validate_settings
from scoreterm.config_load import load_settings

EXAMPLES = int(os.environ.get("SCORETERM_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

NEAR_MISSES = st.sampled_from(
    [
        "eng.1",
        "epl",
        "nba",
        "",
        " ",
        "espn",
        "bbc",
        "goal",
        "gaol",
        "Europe/London",
        "Mars/X",
        "http://x",
        "redis://r",
    ]
)
TEXT = st.one_of(NEAR_MISSES, st.text(max_size=12))
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 0.1, 0.5, 300, 301, 65536, 10**9]),
)
SCALARS = st.one_of(TEXT, NUMBERS, st.booleans(), st.datetimes(timezones=st.just(UTC)))


def toml_value(value: Any) -> str:
    """``value`` as a TOML inline value (arrays and inline tables nest)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string (surrogates make it invalid)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYS = st.one_of(
    st.sampled_from(sorted(_FILE_KEYS)), st.sampled_from(sorted(_FILE_KEYS)), st.text(max_size=8)
)
SECONDS = st.one_of(st.floats(min_value=0.0, max_value=400.0), st.integers(min_value=-1, max_value=4000))
SLUGS = st.lists(st.sampled_from(["eng.1", "esp.1", "nba", "fifa.world", "EPL", "epl"]), max_size=3)
# Values that are often right for their key, so the checks past the parser run too.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "leagues": SLUGS,
    "providers": st.lists(st.sampled_from(["espn", "thesportsdb", "footballdata", "bbc"]), max_size=3),
    "timeout": SECONDS,
    "interval": SECONDS,
    "delay": SECONDS,
    "timezone": st.sampled_from(["Europe/London", "UTC", "", "Mars/X", "../x"]),
    "toasts": st.lists(st.sampled_from(["goal", "red_card", "gaol"]), max_size=3),
    "favourites": st.lists(st.sampled_from(["Arsenal", "", "Real Madrid"]), max_size=2),
    "spoiler_free": st.lists(st.sampled_from(["Arsenal", " "]), max_size=2),
    "bell": st.booleans(),
    "max_response_bytes": st.integers(min_value=0, max_value=1 << 27),
    "espn.url": st.sampled_from(["http://127.0.0.1:8000", "https://x.example", "espn.com", "ftp://x"]),
    "thesportsdb.key": st.sampled_from(["123", "k\u00e9y", ""]),
    "footballdata.token": st.sampled_from(["abc", "a b", "t\n"]),
    "redis.url": st.sampled_from(["redis://r:6379/0", "unix:///run/r.sock", "r\u0007"]),
}


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A TOML document: top-level keys, then tables, each key from the real ones or random."""
    lines: list[str] = []
    by_table: dict[str, list[tuple[str, Any]]] = {}
    for key in draw(st.lists(KEYS, max_size=4, unique=True)):
        table, _, leaf = key.rpartition(".")
        value = draw(st.one_of(PLAUSIBLE[key], PLAUSIBLE[key], VALUES) if key in PLAUSIBLE else VALUES)
        by_table.setdefault(table, []).append((leaf, value))
    for table, pairs in sorted(by_table.items()):
        if table:
            lines.append(f"[{json.dumps(table)}]" if not table.isidentifier() else f"[{table}]")
        lines.extend(f"{json.dumps(leaf)} = {toml_value(value)}" for leaf, value in pairs)
    depth = draw(st.sampled_from([0] * 8 + [50, 900, 3000]))
    if depth:
        lines.append("leagues = " + "[" * depth + "]" * depth)
    return "\n".join(lines) + "\n"


ENV_FIELDS = st.sampled_from(sorted(Settings.__struct_fields__))
ENVS = st.just({}) | st.dictionaries(
    ENV_FIELDS.map(env_name), st.one_of(NEAR_MISSES, st.text(max_size=10)), max_size=2
)
FLAGS = st.just({}) | st.fixed_dictionaries(
    {},
    optional={
        "timeout": st.one_of(SECONDS, st.floats()),
        "interval": st.one_of(st.none(), SECONDS, st.floats()),
        "delay": st.one_of(SECONDS, st.floats()),
        "leagues": st.lists(NEAR_MISSES, max_size=3),
        "providers": st.lists(NEAR_MISSES, max_size=2),
    },
)


def check(flags: dict[str, Any], env: dict[str, str], file: Path) -> None:
    try:
        loaded = load_settings(flags, env=env, file=file)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 2000, message
        event("ConfigError")
        return
    validate_settings(loaded.settings)
    event("loaded")


@FUZZ
@given(text=documents(), env=ENVS, flags=FLAGS)
def test_any_toml_env_and_flags_load_or_give_a_config_error(
    tmp_path: Path, text: str, env: dict[str, str], flags: dict[str, Any]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check(flags, env, path)


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_as_a_config_file_load_or_give_a_config_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    check({}, {}, path)


def test_the_generator_reaches_valid_documents(tmp_path: Path) -> None:
    """The fuzzing is not all rejections: a document the generator can build does load."""
    path = tmp_path / "config.toml"
    path.write_text(toml_value_document({"leagues": ["eng.1"], "timeout": 4, "espn": {"url": "http://x"}}))
    assert load_settings(env={}, file=path).settings.espn_url == "http://x"


def toml_value_document(values: dict[str, Any]) -> str:
    return "\n".join(f"{json.dumps(key)} = {toml_value(value)}" for key, value in values.items()) + "\n"
