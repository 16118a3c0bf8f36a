"""Wire protocol v1: the JSON text frames ``scoreterm serve`` and its clients exchange (docs/protocol.md).

Pure (msgspec only, no I/O). Client messages are tagged by ``op``, server messages by ``type``, and
every frame carries ``v``. ``decode_client`` turns *any* input into a message or a :class:`ProtocolError`
with a stable :class:`ErrorCode`; ``encode`` serializes once, so a broadcast is encoded once.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

import msgspec

from scoreterm import __version__
from scoreterm.domain.model import (
    DeltaUpdate,
    EventUpdate,
    Match,
    MatchEvent,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
    TableUpdate,
    Update,
)
from scoreterm.domain.table import LiveTable

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
# What a client may send where the protocol wants an int: what every JSON library can carry losslessly
# as a 64-bit integer, and what SQLite binds. A seq is never negative.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Seq = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


class Tier(enum.StrEnum):
    """What a subscription receives: match states, match events, betting odds."""

    SCOREBOARD = "scoreboard"
    EVENTS = "events"
    ODDS = "odds"


class ErrorCode(enum.StrEnum):
    """Stable codes of ``error`` frames; the connection stays open after each."""

    BAD_JSON = "bad_json"
    BAD_MESSAGE = "bad_message"
    UNKNOWN_OP = "unknown_op"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_CHANNEL = "unknown_channel"
    NOT_SUBSCRIBED = "not_subscribed"
    TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions"
    UNAUTHORIZED = "unauthorized"
    HELLO_AFTER_SUBSCRIBE = "hello_after_subscribe"


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server uses; :data:`CLOSE_REASONS` holds the reason of each."""

    GOING_AWAY = 1001
    POLICY = 1008
    TOO_BIG = 1009
    UNAUTHORIZED = 4001
    FORBIDDEN_ORIGIN = 4003
    RATE_LIMITED = 4008
    SLOW_CONSUMER = 4010
    HEARTBEAT = 4011


CLOSE_REASONS: dict[CloseCode, str] = {
    CloseCode.GOING_AWAY: "server shutting down",
    CloseCode.POLICY: "policy violation",
    CloseCode.TOO_BIG: "message too big (max 64 KiB)",
    CloseCode.UNAUTHORIZED: "unauthorized: bad or missing token",
    CloseCode.FORBIDDEN_ORIGIN: "origin not allowed",
    CloseCode.RATE_LIMITED: "too many messages",
    CloseCode.SLOW_CONSUMER: "slow consumer: send buffer over the high-water mark",
    CloseCode.HEARTBEAT: "no pong within two heartbeats",
}


class ProtocolError(Exception):
    """A frame that cannot be acted on; the server answers it with an ``error`` frame.

    ``code`` is stable, ``message`` names the bad field when there is one, and ``op`` is the op of the
    frame when it had a string one.
    """

    def __init__(self, code: ErrorCode, message: str, op: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.op = op


class _ClientBase(msgspec.Struct, frozen=True, tag_field="op"):
    v: int = PROTOCOL_VERSION


class Hello(_ClientBase, frozen=True, kw_only=True, tag="hello"):
    """Optional, before any subscribe: a token, and the client's position (epoch + last seq per match)."""

    op: ClassVar[str] = "hello"
    token: str | None = None
    epoch: str | None = None
    resume: dict[str, Seq] = msgspec.field(default_factory=dict)


class Subscribe(_ClientBase, frozen=True, kw_only=True, tag="subscribe"):
    """Start receiving ``league:<slug>`` or ``match:<id>``; ``tiers`` None means every tier."""

    op: ClassVar[str] = "subscribe"
    channel: str
    tiers: list[Tier] | None = None


class Unsubscribe(_ClientBase, frozen=True, kw_only=True, tag="unsubscribe"):
    """Stop receiving a channel."""

    op: ClassVar[str] = "unsubscribe"
    channel: str


class Ping(_ClientBase, frozen=True, kw_only=True, tag="ping"):
    """Application-level ping; the ``pong`` echoes ``id``."""

    op: ClassVar[str] = "ping"
    id: str | Int64 | None = None


ClientMessage: TypeAlias = Hello | Subscribe | Unsubscribe | Ping
KNOWN_OPS: tuple[str, ...] = ("hello", "subscribe", "unsubscribe", "ping")


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """The limits a connection lives under, announced in ``welcome``."""

    max_subscriptions: int
    max_message_bytes: int
    max_messages_per_s: float
    history_per_match: int


class _ServerBase(msgspec.Struct, frozen=True, tag_field="type"):
    v: int = PROTOCOL_VERSION


class Welcome(_ServerBase, frozen=True, kw_only=True, tag="welcome"):
    """First frame of every connection; ``epoch`` names the server's seq space."""

    connection_id: str
    server_time: datetime
    heartbeat_s: float
    epoch: str
    limits: Limits
    leagues: list[str] = msgspec.field(default_factory=list)
    server: str = f"scoreterm/{__version__}"


class Snapshot(_ServerBase, frozen=True, kw_only=True, tag="snapshot"):
    """Every match of a channel; ``recovered`` is False when a resume could not be served."""

    channel: str
    matches: list[Match]
    recovered: bool | None = None
    at: datetime | None = None


class Resumed(_ServerBase, frozen=True, kw_only=True, tag="resumed"):
    """A resume succeeded: ``replayed`` missed frames follow, in seq order per match."""

    channel: str
    recovered: Literal[True] = True
    replayed: int


class Delta(_ServerBase, frozen=True, kw_only=True, tag="delta"):
    """The new state of one match."""

    channel: str
    match_id: str
    seq: int
    data: Match
    at: datetime | None = None


class Event(_ServerBase, frozen=True, kw_only=True, tag="event"):
    """Something that happened in one match."""

    channel: str
    match_id: str
    seq: int
    event: MatchEvent
    at: datetime | None = None


class TableFrame(_ServerBase, frozen=True, kw_only=True, tag="table"):
    """A league's live table as it stands (the whole table: it is small), on ``table:<slug>``."""

    channel: str
    table: LiveTable
    at: datetime | None = None


class Status(_ServerBase, frozen=True, kw_only=True, tag="status"):
    """How the data source of a channel is doing."""

    channel: str
    status: SourceStatus
    at: datetime | None = None


class Pong(_ServerBase, frozen=True, kw_only=True, tag="pong"):
    """The answer to a ``ping``."""

    id: str | int | None = None
    server_time: datetime


class Error(_ServerBase, frozen=True, kw_only=True, tag="error"):
    """A client message was refused; the connection stays open."""

    code: ErrorCode
    message: str
    op: str | None = None


ServerMessage: TypeAlias = Welcome | Snapshot | Resumed | Delta | Event | Status | TableFrame | Pong | Error

_ENCODER = msgspec.json.Encoder()
_SERVER_DECODER: msgspec.json.Decoder[ServerMessage] = msgspec.json.Decoder(ServerMessage)
_ANY_DECODER = msgspec.json.Decoder()
_CHANNEL = re.compile(r"(league|match|table):([A-Za-z0-9][A-Za-z0-9._-]{0,127})")
_NOT_JSON = (msgspec.DecodeError, UnicodeError, RecursionError)


def clip(text: str, limit: int = 64) -> str:
    """``text`` cut to ``limit`` characters (with "..." when cut): what an error frame may echo of the
    client's input, so that it never amplifies what a client sent."""
    return text if len(text) <= limit else text[:limit] + "..."


def encode(message: ServerMessage) -> bytes:
    """Serialize a server message to the UTF-8 JSON of one text frame (send it with ``text=True``)."""
    return _ENCODER.encode(message)


def encode_client(message: ClientMessage) -> bytes:
    """Serialize a client message to the UTF-8 JSON of one text frame (send it with ``text=True``)."""
    return _ENCODER.encode(message)


def decode_client(data: str | bytes) -> ClientMessage:
    """Parse and validate one client frame.

    Raises:
        ProtocolError: ``bad_json`` (not JSON), ``bad_message`` (not an object, ``op`` missing or not a
            string, a field missing or of the wrong type, a number out of range), ``unsupported_version``
            (``v`` an integer other than 1), ``unknown_op`` (an op this version does not know). Nothing
            else, for any input.
    """
    try:
        value: Any = _ANY_DECODER.decode(data)
    except msgspec.ValidationError as exc:
        # The untyped decode refuses only numbers it cannot hold (1e400, an int of thousands of digits).
        raise _out_of_range(data, exc) from None
    except _NOT_JSON as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"not valid JSON: {clip(str(exc), 200)}") from None
    if not isinstance(value, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "a message must be a JSON object with an 'op'")
    op = clip(value["op"]) if isinstance(value.get("op"), str) else None
    version = value.get("v", PROTOCOL_VERSION)
    # The version comes first: a newer client's message need not fit v1's shapes at all.
    if type(version) is int and version != PROTOCOL_VERSION:
        message = f"protocol version {clip(str(version), 20)} is not supported; this server speaks v1"
        raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION, message, op)
    if op is None:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "'op' is missing or not a string")
    if op not in KNOWN_OPS:
        raise ProtocolError(ErrorCode.UNKNOWN_OP, f"unknown op {op!r}; known ops: {', '.join(KNOWN_OPS)}", op)
    try:
        decoded: ClientMessage = msgspec.convert(value, ClientMessage)
    except (msgspec.ValidationError, RecursionError) as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"invalid {op}: {clip(str(exc), 200)}", op) from None
    return decoded


def _out_of_range(data: str | bytes, exc: msgspec.ValidationError) -> ProtocolError:
    """``bad_message`` for valid JSON with a number out of range (naming its op); ``bad_json`` when the
    JSON is broken anyway (msgspec stops at the number before it can tell)."""
    try:
        # Numbers as placeholders: valid JSON is all we ask the standard parser to judge here.
        value = json.loads(
            data, parse_int=_placeholder, parse_float=_placeholder, parse_constant=_no_constant
        )
    except (ValueError, RecursionError) as broken:  # JSONDecodeError and UnicodeDecodeError included
        return ProtocolError(ErrorCode.BAD_JSON, f"not valid JSON: {clip(str(broken), 200)}")
    op = value.get("op") if isinstance(value, dict) else None
    op = clip(op) if isinstance(op, str) else None
    return ProtocolError(ErrorCode.BAD_MESSAGE, f"invalid {op or 'message'}: {clip(str(exc), 200)}", op)


def _placeholder(text: str) -> int:
    return 0


def _no_constant(text: str) -> None:
    raise ValueError(f"{text} is not JSON")


def decode_server(data: str | bytes) -> ServerMessage:
    """Parse and validate one server frame (for clients and tests).

    Raises:
        ProtocolError: ``bad_json`` when the frame is not JSON, ``bad_message`` when it is not a valid
            server message (an unknown ``type`` included).
    """
    try:
        return _SERVER_DECODER.decode(data)
    except msgspec.ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, clip(str(exc), 200)) from None
    except _NOT_JSON as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"not valid JSON: {clip(str(exc), 200)}") from None


ChannelKind: TypeAlias = Literal["league", "match", "table"]


def parse_channel(channel: str) -> tuple[ChannelKind, str]:
    """Split ``league:<slug>``, ``match:<id>`` or ``table:<slug>``; an id is 1-128 of
    ``A-Z a-z 0-9 . _ -``, not led by ``._-``.

    Raises:
        ProtocolError: ``unknown_channel`` for anything else.
    """
    found = _CHANNEL.fullmatch(channel)
    if found is None:
        expected = "expected 'league:<slug>', 'match:<id>' or 'table:<slug>'"
        raise ProtocolError(ErrorCode.UNKNOWN_CHANNEL, f"bad channel {clip(channel)!r}: {expected}")
    kinds: dict[str, ChannelKind] = {"league": "league", "match": "match", "table": "table"}
    return kinds[found[1]], found[2]


def from_update(update: Update) -> ServerMessage:
    """The frame that carries an engine ``Update``."""
    channel, at = update.channel, update.at
    match update:
        case SnapshotUpdate():
            return Snapshot(channel=channel, matches=list(update.matches), at=at)
        case DeltaUpdate():
            match_id = update.match_id or update.match.id
            return Delta(channel=channel, match_id=match_id, seq=update.seq, data=update.match, at=at)
        case EventUpdate():
            return Event(channel=channel, match_id=update.match_id, seq=update.seq, event=update.event, at=at)
        case StatusUpdate():
            return Status(channel=channel, status=update.status, at=at)
        case TableUpdate():
            return TableFrame(channel=channel, table=update.table, at=at)


def to_update(message: ServerMessage) -> Update | None:
    """The ``Update`` a frame carries (the inverse of :func:`from_update`); None for control frames.

    A frame without ``at`` is stamped with the time it is read.
    """
    if not isinstance(message, Snapshot | Delta | Event | Status | TableFrame):
        return None
    at, ch = message.at or datetime.now(UTC), message.channel
    match message:
        case Snapshot(matches=matches):
            return SnapshotUpdate(channel=ch, at=at, matches=tuple(matches))
        case Delta(match_id=match_id, seq=seq, data=data):
            return DeltaUpdate(channel=ch, at=at, match_id=match_id, seq=seq, match=data)
        case Event(match_id=match_id, seq=seq, event=event):
            return EventUpdate(channel=ch, at=at, match_id=match_id, seq=seq, event=event)
        case Status(status=status):
            return StatusUpdate(channel=ch, at=at, status=status)
        case TableFrame(table=table):
            return TableUpdate(channel=ch, at=at, table=table)


def strip_tiers(message: ServerMessage, tiers: Collection[Tier] | None) -> ServerMessage | None:
    """Cut a frame down to its channel and a subscription's ``tiers`` (None: all); None means do
    not send it.

    On a ``league:`` channel matches go out light, without ``trend`` and ``centre`` (a match
    centre runs to tens of KB): those come on the match's own channel. No ``scoreboard``: ``delta``
    frames are dropped (the ``snapshot``, the base state, still goes). No ``events``: ``event``
    frames are dropped. No ``odds``: matches go out with ``odds: null``. Other frames pass
    unchanged.
    """
    message = _light(message)
    if tiers is None:
        return message
    if isinstance(message, Event) and Tier.EVENTS not in tiers:
        return None
    if isinstance(message, Delta) and Tier.SCOREBOARD not in tiers:
        return None
    if isinstance(message, Delta) and Tier.ODDS not in tiers and message.data.odds is not None:
        return msgspec.structs.replace(message, data=msgspec.structs.replace(message.data, odds=None))
    if isinstance(message, Snapshot) and Tier.ODDS not in tiers:
        matches = [m if m.odds is None else msgspec.structs.replace(m, odds=None) for m in message.matches]
        return msgspec.structs.replace(message, matches=matches)
    return message


def _light(message: ServerMessage) -> ServerMessage:
    """``message`` without the heavy parts of its matches when it goes out on a league channel."""
    if not message_channel(message).startswith("league:"):
        return message
    if isinstance(message, Delta) and (message.data.centre is not None or message.data.trend is not None):
        return msgspec.structs.replace(message, data=light_match(message.data))
    if isinstance(message, Snapshot) and any(
        m.centre is not None or m.trend is not None for m in message.matches
    ):
        return msgspec.structs.replace(message, matches=[light_match(m) for m in message.matches])
    return message


def message_channel(message: ServerMessage) -> str:
    """The channel a frame is labelled with ("" for control frames)."""
    channel = getattr(message, "channel", "")
    return channel if isinstance(channel, str) else ""


def light_match(match: Match) -> Match:
    """``match`` without its ``trend`` and ``centre``."""
    if match.centre is None and match.trend is None:
        return match
    return msgspec.structs.replace(match, centre=None, trend=None)
