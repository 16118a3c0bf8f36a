"""Wire protocol v1: round trips, error codes, fuzzing, channels, Update mapping, tiers and the docs.

The matches are real: normalized from the ESPN World Cup scoreboard in tests/fixtures/espn_soccer
(Mexico 2-3 England at 89', with odds; see tests/fixtures/MANIFEST.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreterm.domain.live_table import live_table
from scoreterm.domain.model import (
    DeltaUpdate,
    EventUpdate,
    Match,
    SnapshotUpdate,
    SourceStatus,
    Sport,
    StatusUpdate,
    TableUpdate,
    Update,
)
from scoreterm.domain.table import LiveTable
from scoreterm.net import protocol as p
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.providers.espn_standings import normalize_standings

ROOT = Path(__file__).parent.parent
FIXTURE = (
    Path(__file__).parent
    / "fixtures/espn_soccer/fifa.world_scoreboard_live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens.json"
)
DOC = ROOT / "docs" / "protocol.md"
AT = datetime(2026, 7, 6, 2, 44, 12, tzinfo=UTC)
CHANNEL = "league:fifa.world"


def load_matches() -> list[Match]:
    return normalize_scoreboard(json.loads(FIXTURE.read_text(encoding="utf-8")), "fifa.world")


MATCHES = load_matches()
LIVE = next(m for m in MATCHES if m.id == "espn-760505")  # Mexico 2-3 England, with odds
assert LIVE.odds is not None and LIVE.events


def live(seq: int = 42) -> Match:
    return msgspec.structs.replace(LIVE, seq=seq, updated_at=AT)


def premier_league() -> LiveTable:
    """The real 2024-25 final Premier League table as a live table (nothing in play)."""
    payload = json.loads(
        (Path(__file__).parent / "fixtures/espn_standings/eng.1_standings_2024-25_final.json").read_text()
    )
    return live_table(normalize_standings(payload, "eng.1", Sport.SOCCER), [])


def server_messages() -> list[p.ServerMessage]:
    event = msgspec.structs.replace(LIVE.events[-1], seq=41)
    limits = p.Limits(
        max_subscriptions=50, max_message_bytes=65536, max_messages_per_s=10.0, history_per_match=300
    )
    return [
        p.Welcome(
            connection_id="c1", server_time=AT, heartbeat_s=20.0, epoch="e1", limits=limits, leagues=["eng.1"]
        ),
        p.Snapshot(channel=CHANNEL, matches=MATCHES, at=AT),
        p.Snapshot(channel="match:espn-760505", matches=[live()], recovered=False),
        p.Resumed(channel=CHANNEL, replayed=2),
        p.Delta(channel=CHANNEL, match_id=LIVE.id, seq=42, data=live(), at=AT),
        p.Event(channel=CHANNEL, match_id=LIVE.id, seq=41, event=event, at=AT),
        p.Status(channel=CHANNEL, status=SourceStatus(provider="espn", health=0.5, last_ok=AT), at=AT),
        p.TableFrame(channel="table:eng.1", table=premier_league(), at=AT),
        p.Pong(id="abc", server_time=AT),
        p.Pong(id=None, server_time=AT),
        p.Error(code=p.ErrorCode.UNKNOWN_CHANNEL, message="no league 'x'", op="subscribe"),
    ]


CLIENT_MESSAGES: list[p.ClientMessage] = [
    p.Hello(),
    p.Hello(token="t", epoch="e1", resume={"espn-760505": 40, "espn-1": 0}),
    p.Subscribe(channel=CHANNEL),
    p.Subscribe(channel="match:espn-760505", tiers=[p.Tier.EVENTS, p.Tier.ODDS]),
    p.Subscribe(channel=CHANNEL, tiers=[]),
    p.Unsubscribe(channel=CHANNEL),
    p.Ping(),
    p.Ping(id=7),
    p.Ping(id="x"),
]


# -- round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("message", server_messages(), ids=lambda m: type(m).__name__)
def test_server_messages_round_trip(message: p.ServerMessage) -> None:
    data = p.encode(message)
    assert p.decode_server(data) == message
    assert p.decode_server(data.decode()) == message
    envelope = json.loads(data)
    assert list(envelope)[:2] == ["type", "v"] and envelope["v"] == 1


@pytest.mark.parametrize("message", CLIENT_MESSAGES, ids=repr)
def test_client_messages_round_trip(message: p.ClientMessage) -> None:
    data = p.encode_client(message)
    assert p.decode_client(data) == message
    assert json.loads(data)["op"] == message.op
    assert json.loads(data)["v"] == 1


def test_every_message_type_is_covered_by_the_round_trips() -> None:
    assert {type(m) for m in server_messages()} == set(p.ServerMessage.__args__)
    assert {type(m) for m in CLIENT_MESSAGES} == set(p.ClientMessage.__args__)
    assert set(p.KNOWN_OPS) == {t.op for t in p.ClientMessage.__args__}


def test_client_defaults_and_minimal_frames() -> None:
    assert p.decode_client('{"op":"ping"}') == p.Ping()
    assert p.decode_client(b'{"op":"hello","v":1}') == p.Hello(token=None, epoch=None, resume={})
    assert p.decode_client('{"op":"subscribe","channel":"league:eng.1","extra":[1,2]}') == p.Subscribe(
        channel="league:eng.1"
    )
    tiers = p.decode_client('{"op":"subscribe","channel":"match:a","tiers":["odds"]}')
    assert isinstance(tiers, p.Subscribe) and tiers.tiers == [p.Tier.ODDS]


def test_welcome_names_the_server_and_times_are_utc() -> None:
    welcome = server_messages()[0]
    assert isinstance(welcome, p.Welcome) and welcome.server.startswith("scoreterm/")
    assert json.loads(p.encode(welcome))["server_time"] == "2026-07-06T02:44:12Z"
    decoded = p.decode_server(p.encode(welcome))
    assert isinstance(decoded, p.Welcome) and decoded.server_time.utcoffset() is not None


# -- errors -----------------------------------------------------------------------------------------

DECODE_ERRORS: list[tuple[str | bytes, p.ErrorCode, str | None, str]] = [
    # (frame, code, op in the error, text the message must contain)
    ("{not json", p.ErrorCode.BAD_JSON, None, "JSON"),
    (b"\xff\xfe", p.ErrorCode.BAD_JSON, None, "JSON"),
    (b'{"op":"ping","id":"\xff"}', p.ErrorCode.BAD_JSON, None, "JSON"),
    ('"\ud800"', p.ErrorCode.BAD_JSON, None, "JSON"),
    ("[" * 20_000, p.ErrorCode.BAD_JSON, None, "JSON"),
    ("", p.ErrorCode.BAD_JSON, None, "JSON"),
    ("[1, 2]", p.ErrorCode.BAD_MESSAGE, None, "object"),
    ('"subscribe"', p.ErrorCode.BAD_MESSAGE, None, "object"),
    ("null", p.ErrorCode.BAD_MESSAGE, None, "object"),
    ('{"channel": "league:eng.1"}', p.ErrorCode.BAD_MESSAGE, None, "'op'"),
    ('{"op": 5}', p.ErrorCode.BAD_MESSAGE, None, "'op'"),
    ('{"op": null}', p.ErrorCode.BAD_MESSAGE, None, "'op'"),
    ('{"op": "dance"}', p.ErrorCode.UNKNOWN_OP, "dance", "hello, subscribe, unsubscribe, ping"),
    ('{"op": "Subscribe", "channel": "x"}', p.ErrorCode.UNKNOWN_OP, "Subscribe", "known ops"),
    ('{"op": "subscribe"}', p.ErrorCode.BAD_MESSAGE, "subscribe", "`channel`"),
    ('{"op": "subscribe", "channel": 5}', p.ErrorCode.BAD_MESSAGE, "subscribe", "$.channel"),
    (
        '{"op": "subscribe", "channel": "a", "tiers": ["gossip"]}',
        p.ErrorCode.BAD_MESSAGE,
        "subscribe",
        "$.tiers[0]",
    ),
    ('{"op": "subscribe", "channel": "a", "tiers": "odds"}', p.ErrorCode.BAD_MESSAGE, "subscribe", "$.tiers"),
    ('{"op": "unsubscribe", "channel": null}', p.ErrorCode.BAD_MESSAGE, "unsubscribe", "$.channel"),
    ('{"op": "hello", "resume": {"espn-1": "40"}}', p.ErrorCode.BAD_MESSAGE, "hello", "$.resume"),
    ('{"op": "hello", "resume": [1]}', p.ErrorCode.BAD_MESSAGE, "hello", "$.resume"),
    ('{"op": "hello", "token": 123}', p.ErrorCode.BAD_MESSAGE, "hello", "$.token"),
    ('{"op": "ping", "id": [1]}', p.ErrorCode.BAD_MESSAGE, "ping", "$.id"),
    ('{"op": "ping", "id": true}', p.ErrorCode.BAD_MESSAGE, "ping", "$.id"),
    ('{"op": "ping", "v": "1"}', p.ErrorCode.BAD_MESSAGE, "ping", "$.v"),
    ('{"op": "ping", "v": 1.0}', p.ErrorCode.BAD_MESSAGE, "ping", "$.v"),
    ('{"op": "ping", "v": true}', p.ErrorCode.BAD_MESSAGE, "ping", "$.v"),
    ('{"op": "ping", "v": 2}', p.ErrorCode.UNSUPPORTED_VERSION, "ping", "version 2"),
    ('{"op": "ping", "v": 0}', p.ErrorCode.UNSUPPORTED_VERSION, "ping", "v1"),
    # The version is judged first: a v2 client's new op or new shapes are not v1 errors.
    ('{"op": "teleport", "v": 2}', p.ErrorCode.UNSUPPORTED_VERSION, "teleport", "version 2"),
    ('{"op": "subscribe", "v": 3, "channel": 5}', p.ErrorCode.UNSUPPORTED_VERSION, "subscribe", "version 3"),
    ('{"v": 2}', p.ErrorCode.UNSUPPORTED_VERSION, None, "version 2"),
    # Valid JSON with a number out of range is a bad message, not bad JSON (issue 10, item 7)...
    ('{"op": "ping", "id": 1e400}', p.ErrorCode.BAD_MESSAGE, "ping", "out of range"),
    ('{"op": "ping", "id": -1e400}', p.ErrorCode.BAD_MESSAGE, "ping", "out of range"),
    ('{"op": "hello", "resume": {"espn-1": 1e400}}', p.ErrorCode.BAD_MESSAGE, "hello", "out of range"),
    ('{"op": "ping", "v": 1e999}', p.ErrorCode.BAD_MESSAGE, "ping", "out of range"),
    ('[{"op": "ping"}, 1e400]', p.ErrorCode.BAD_MESSAGE, None, "out of range"),
    # ...and so is an int beyond 64 bits (or a negative seq) where the message wants an int.
    ('{"op": "ping", "id": 9223372036854775808}', p.ErrorCode.BAD_MESSAGE, "ping", "$.id"),
    (
        '{"op": "hello", "resume": {"espn-1": 18446744073709551616}}',
        p.ErrorCode.BAD_MESSAGE,
        "hello",
        "$.resume",
    ),
    ('{"op": "hello", "resume": {"espn-1": -1}}', p.ErrorCode.BAD_MESSAGE, "hello", "$.resume"),
    # A number out of range in JSON that is broken anyway is still bad JSON.
    ('{"op": "ping", "id": 1e400', p.ErrorCode.BAD_JSON, None, "JSON"),
    ('{"op": "ping", "id": 1e400, NaN: 1}', p.ErrorCode.BAD_JSON, None, "JSON"),
]


@pytest.mark.parametrize(("frame", "code", "op", "text"), DECODE_ERRORS)
def test_decode_client_errors(frame: str | bytes, code: p.ErrorCode, op: str | None, text: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.decode_client(frame)
    assert (caught.value.code, caught.value.op) == (code, op)
    assert text in caught.value.message
    frame_out = p.decode_server(
        p.encode(p.Error(code=caught.value.code, message=caught.value.message, op=op))
    )
    assert isinstance(frame_out, p.Error) and frame_out.code == code


def test_every_decode_level_code_is_reachable() -> None:
    reached = {code for _, code, _, _ in DECODE_ERRORS}
    assert reached == {
        p.ErrorCode.BAD_JSON,
        p.ErrorCode.BAD_MESSAGE,
        p.ErrorCode.UNKNOWN_OP,
        p.ErrorCode.UNSUPPORTED_VERSION,
    }


def test_an_integer_too_long_for_msgspec_is_a_bad_message() -> None:
    for frame in ('{"op": "ping", "id": ' + "9" * 5000 + "}", '{"op": "hello", "v": ' + "9" * 60_000 + "}"):
        with pytest.raises(p.ProtocolError) as caught:
            p.decode_client(frame)
        assert caught.value.code is p.ErrorCode.BAD_MESSAGE
        assert "out of range" in caught.value.message and len(caught.value.message) < 400


def test_echoed_input_is_clipped() -> None:
    for frame in (
        json.dumps({"op": "x" * 10_000}),
        json.dumps({"op": "subscribe", "channel": "a", "tiers": ["y" * 10_000]}),
        json.dumps({"op": "ping", "v": int("9" * 4000)}),
    ):
        with pytest.raises(p.ProtocolError) as caught:
            p.decode_client(frame)
        assert len(caught.value.message) < 400
        assert caught.value.op is None or len(caught.value.op) < 100


def test_decode_server_errors() -> None:
    for frame, code in [
        ("nope", p.ErrorCode.BAD_JSON),
        ('{"type": "gossip", "v": 1}', p.ErrorCode.BAD_MESSAGE),
        ('{"type": "pong", "v": 1}', p.ErrorCode.BAD_MESSAGE),
        ('{"type": "delta", "channel": "c", "match_id": "m", "seq": "1"}', p.ErrorCode.BAD_MESSAGE),
    ]:
        with pytest.raises(p.ProtocolError) as caught:
            p.decode_server(frame)
        assert caught.value.code is code


def test_close_reasons() -> None:
    assert set(p.CLOSE_REASONS) == set(p.CloseCode)
    # RFC 6455 caps a close reason at 123 bytes.
    assert all(0 < len(reason.encode()) <= 123 for reason in p.CLOSE_REASONS.values())
    assert p.CLOSE_REASONS[p.CloseCode.TOO_BIG] == "message too big (max 64 KiB)"
    assert p.MAX_MESSAGE_BYTES == 64 * 1024


# -- fuzzing ----------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(["op", "v", "channel", "tiers", "token", "epoch", "resume", "id", "type"])
MESSAGE_LIKE = st.dictionaries(FIELDS, JSON_VALUES, max_size=5) | st.fixed_dictionaries(
    {"op": st.sampled_from([*p.KNOWN_OPS, "nope"])},
    optional={
        "v": st.sampled_from([1, 2, "1", None, True]),
        "channel": JSON_VALUES,
        "tiers": st.lists(st.sampled_from([*p.Tier, "x"])) | JSON_VALUES,
        "resume": st.dictionaries(st.text(), st.integers() | st.text()) | JSON_VALUES,
        "token": JSON_VALUES,
        "id": JSON_VALUES,
    },
)


def assert_decodes_or_refuses(frame: str | bytes) -> None:
    try:
        message = p.decode_client(frame)
    except p.ProtocolError as exc:
        assert isinstance(exc.code, p.ErrorCode) and exc.message
    else:
        assert isinstance(message, p.Hello | p.Subscribe | p.Unsubscribe | p.Ping)
        assert p.decode_client(p.encode_client(message)) == message


@settings(max_examples=300)
@given(st.text(st.characters(exclude_categories=())) | st.binary())
def test_fuzz_arbitrary_text_and_bytes(frame: str | bytes) -> None:
    assert_decodes_or_refuses(frame)


@settings(max_examples=300)
@given(JSON_VALUES | MESSAGE_LIKE)
def test_fuzz_arbitrary_json(value: Any) -> None:
    text = json.dumps(value)
    assert_decodes_or_refuses(text)
    assert_decodes_or_refuses(text.encode())


@settings(max_examples=200)
@given(JSON_VALUES | MESSAGE_LIKE | st.binary())
def test_fuzz_decode_server(value: Any) -> None:
    frame = value if isinstance(value, bytes) else json.dumps(value)
    try:
        p.decode_server(frame)
    except p.ProtocolError as exc:
        assert exc.code in (p.ErrorCode.BAD_JSON, p.ErrorCode.BAD_MESSAGE)


# -- channels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "parsed"),
    [
        ("league:eng.1", ("league", "eng.1")),
        ("league:uefa.champions", ("league", "uefa.champions")),
        ("match:espn-760505", ("match", "espn-760505")),
        ("match:thesportsdb-2070281", ("match", "thesportsdb-2070281")),
        ("match:" + "a" * 128, ("match", "a" * 128)),
    ],
)
def test_parse_channel(channel: str, parsed: tuple[str, str]) -> None:
    assert p.parse_channel(channel) == parsed


@pytest.mark.parametrize(
    "channel",
    [
        "",
        "league",
        "league:",
        "match:",
        "team:arsenal",
        "LEAGUE:eng.1",
        "league:eng 1",
        " league:eng.1",
        "league:eng.1 ",
        "league:eng.1\n",
        "league:\teng.1",
        "league:.hidden",
        "league:*",
        "league:eng.1:x",
        "match:" + "a" * 129,
        "match:é",
    ],
)
def test_parse_channel_refuses(channel: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_channel(channel)
    assert caught.value.code is p.ErrorCode.UNKNOWN_CHANNEL


# -- Update mapping ---------------------------------------------------------------------------------


def engine_updates() -> list[Update]:
    """Updates shaped exactly as the engine publishes them."""
    match = live(42)
    event = msgspec.structs.replace(LIVE.events[-1], seq=41)
    status = SourceStatus(provider="espn", health=0.9, last_ok=AT, next_poll_s=4.5, interval_s=5.0)
    return [
        SnapshotUpdate(channel=CHANNEL, at=AT, matches=tuple(MATCHES)),
        SnapshotUpdate(channel=CHANNEL, at=AT, matches=()),
        EventUpdate(channel=CHANNEL, at=AT, match_id=match.id, seq=41, event=event),
        DeltaUpdate(channel=CHANNEL, at=AT, match_id=match.id, seq=42, match=match),
        StatusUpdate(channel=CHANNEL, at=AT, status=status),
    ]


@pytest.mark.parametrize("update", engine_updates(), ids=lambda u: u.kind.value)
def test_update_round_trip_over_the_wire(update: Update) -> None:
    message = p.from_update(update)
    assert p.to_update(p.decode_server(p.encode(message))) == update


def test_from_update_shapes() -> None:
    snapshot, _, event, delta, status = (p.from_update(u) for u in engine_updates())
    assert (
        isinstance(snapshot, p.Snapshot)
        and snapshot.recovered is None
        and len(snapshot.matches) == len(MATCHES)
    )
    assert isinstance(event, p.Event) and (event.match_id, event.seq, event.event.seq) == (LIVE.id, 41, 41)
    assert isinstance(delta, p.Delta) and (delta.match_id, delta.seq, delta.data.seq) == (LIVE.id, 42, 42)
    assert isinstance(status, p.Status) and status.status.provider == "espn"
    assert {snapshot.at, event.at, delta.at, status.at} == {AT}


def test_every_kind_of_update_round_trips_as_json_and_decodes_to_its_own_class() -> None:
    """What the Redis backplane and tapes store: ``kind`` alone picks the class back."""
    table = TableUpdate(channel="table:eng.1", at=AT, table=premier_league())
    updates = [*engine_updates(), table]
    assert {type(u) for u in updates} == set(typing.get_args(Update))
    for update in updates:
        encoded = msgspec.json.encode(update)
        assert msgspec.json.decode(encoded)["kind"] == update.kind.value
        decoded = msgspec.json.decode(encoded, type=Update)
        assert type(decoded) is type(update) and decoded == update


def test_an_update_without_its_payload_is_refused_when_decoded() -> None:
    """What ``from_update`` once had to skip (a delta without its match...) cannot even be decoded."""
    _, _, event, delta, status = engine_updates()
    for update, payload in ((event, "event"), (event, "match_id"), (delta, "match"), (status, "status")):
        fields = msgspec.json.decode(msgspec.json.encode(update))
        del fields[payload]
        with pytest.raises(msgspec.ValidationError, match=f"missing required field `{payload}`"):
            msgspec.json.decode(msgspec.json.encode(fields), type=Update)


def test_to_update_of_control_frames_is_none_and_missing_at_is_now() -> None:
    for message in server_messages():
        if isinstance(message, p.Welcome | p.Resumed | p.Pong | p.Error):
            assert p.to_update(message) is None
    before = datetime.now(UTC)
    update = p.to_update(p.Delta(channel=CHANNEL, match_id=LIVE.id, seq=3, data=live(3)))
    assert isinstance(update, DeltaUpdate) and before <= update.at <= datetime.now(UTC)


# -- tiers ------------------------------------------------------------------------------------------


def test_strip_tiers_all_or_none_passes_everything() -> None:
    for message in server_messages():
        assert p.strip_tiers(message, None) is message
        assert p.strip_tiers(message, frozenset(p.Tier)) is message


def test_strip_tiers() -> None:
    snapshot, _, event, delta, status = (p.from_update(u) for u in engine_updates())
    no_scoreboard = {p.Tier.EVENTS, p.Tier.ODDS}
    assert p.strip_tiers(delta, no_scoreboard) is None
    assert p.strip_tiers(snapshot, no_scoreboard) is snapshot
    assert p.strip_tiers(event, no_scoreboard) is event

    no_events = [p.Tier.SCOREBOARD, p.Tier.ODDS]
    assert p.strip_tiers(event, no_events) is None
    assert p.strip_tiers(delta, no_events) is delta

    no_odds = {p.Tier.SCOREBOARD, p.Tier.EVENTS}
    stripped = p.strip_tiers(delta, no_odds)
    assert isinstance(stripped, p.Delta) and isinstance(delta, p.Delta)
    assert stripped.data.odds is None and delta.data.odds is not None
    assert msgspec.structs.replace(stripped.data, odds=delta.data.odds) == delta.data
    thin = p.strip_tiers(snapshot, no_odds)
    assert isinstance(thin, p.Snapshot) and isinstance(snapshot, p.Snapshot)
    assert any(m.odds for m in snapshot.matches) and not any(m.odds for m in thin.matches)
    assert [m.id for m in thin.matches] == [m.id for m in snapshot.matches]

    for tiers in (set(), no_scoreboard, no_events, no_odds):
        assert p.strip_tiers(status, tiers) is status
    assert p.strip_tiers(event, set()) is None and p.strip_tiers(delta, set()) is None


# -- purity and docs --------------------------------------------------------------------------------


def test_protocol_imports_no_io_libraries() -> None:
    code = (
        "import sys, scoreterm.net.protocol\n"
        "bad = {'websockets', 'textual', 'httpx'} & set(sys.modules)\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def doc_examples() -> list[dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    return [json.loads(block) for block in blocks]


def is_within(example: Any, actual: Any) -> bool:
    """True when every key and value of ``example`` is in ``actual`` (no stale or misspelt fields)."""
    if isinstance(example, dict):
        return isinstance(actual, dict) and all(
            k in actual and is_within(v, actual[k]) for k, v in example.items()
        )
    if isinstance(example, list):
        return (
            isinstance(actual, list) and len(example) == len(actual) and all(map(is_within, example, actual))
        )
    return bool(example == actual)


def test_docs_examples_are_valid_frames() -> None:
    examples = doc_examples()
    assert examples
    ops, types = set(), set()
    for example in examples:
        raw = json.dumps(example)
        if "type" in example:  # an error frame has an "op" too
            encoded = p.encode(p.decode_server(raw))
            types.add(example["type"])
        else:
            encoded = p.encode_client(p.decode_client(raw))
            ops.add(example["op"])
        assert is_within(example, json.loads(encoded)), example
    assert ops == set(p.KNOWN_OPS)
    assert types == {t.__struct_config__.tag for t in p.ServerMessage.__args__}


def test_docs_tables_list_every_code() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for code in p.ErrorCode:
        assert f"| `{code.value}` |" in doc
    for close, reason in p.CLOSE_REASONS.items():
        assert f"| {int(close)} | {reason} |" in doc
    for endpoint in ("/v1/ws", "GET /health", "GET /metrics", "GET /v1/leagues", "/scoreboard", "after_seq"):
        assert endpoint in doc
