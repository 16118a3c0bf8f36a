"""What the Redis backplane keeps in Redis, and how: key names, the envelope of an update, Lua scripts.

Keys (``ns`` is the namespace, ``scoreterm`` by default):

- ``{ns}:leader`` — the lease: the id of the instance that polls, with a TTL.
- ``{ns}:epoch`` — the seq space every instance announces to clients; gone when Redis loses its data.
- ``{ns}:stream:<match_id>`` — the match's deltas and events, stream id ``<seq>-0``.
- ``{ns}:matches`` / ``{ns}:seqs`` — hashes: match id -> its latest state (msgspec JSON) / that state's seq.
- ``{ns}:league:<slug>`` — a set of the league's match ids.
- ``{ns}:tables`` — a hash: ``table:<slug>`` -> the envelope of the league's latest live table, so an
  instance that starts later serves it at once.
- ``{ns}:clients`` — a hash: instance id -> ``"<connected clients> <unix time>"``, so the leader polls
  as often as the whole cluster's audience warrants.
- ``{ns}:updates`` — the pub/sub channel every instance listens to.

Stream ids are ``<seq>-0``: the millisecond part is the seq, so Redis itself refuses a seq that is not
above the last one, and ``XRANGE key (<seq>-0 +`` reads what follows a seq (exclusive ranges: Redis
6.2 or later).
"""

from __future__ import annotations

import msgspec

from scoreterm.domain.model import Match, Update

# What the publish script answers; anything else (``conflict``, ``notleader``) is a refusal.
PUBLISHED = b"ok"
DUPLICATE = b"dup"


class Keys:
    """The key names of one namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.leader = f"{namespace}:leader"
        self.epoch = f"{namespace}:epoch"
        self.matches = f"{namespace}:matches"
        self.seqs = f"{namespace}:seqs"
        self.updates = f"{namespace}:updates"
        self.clients = f"{namespace}:clients"
        self.tables = f"{namespace}:tables"

    def stream(self, match_id: str) -> str:
        """The stream of one match."""
        return f"{self.namespace}:stream:{match_id}"

    def league(self, slug: str) -> str:
        """The set of one league's match ids."""
        return f"{self.namespace}:league:{slug}"


class Envelope(msgspec.Struct, frozen=True):
    """An update as it travels: the instance that sent it, when (Unix ms, wall clock), the update.

    The same bytes are the stream entry and the pub/sub message, so a receiver measures its lag
    from ``t`` whichever way the update came, and a retried write is recognised byte for byte.
    """

    src: str
    t: float
    u: Update


_ENCODER = msgspec.json.Encoder()
_ENVELOPE = msgspec.json.Decoder(Envelope)
_MATCH = msgspec.json.Decoder(Match)


def encode_envelope(envelope: Envelope) -> bytes:
    """The JSON of an envelope."""
    return _ENCODER.encode(envelope)


def decode_envelope(data: bytes) -> Envelope:
    """Parse an envelope (raises ``msgspec.DecodeError`` / ``ValidationError`` on bad input)."""
    return _ENVELOPE.decode(data)


def encode_match(match: Match) -> bytes:
    """The JSON of a match state, as kept in the ``matches`` hash."""
    return _ENCODER.encode(match)


def decode_match(data: bytes) -> Match:
    """Parse a match state from the ``matches`` hash."""
    return _MATCH.decode(data)


def stream_id(seq: int) -> str:
    """The stream id of a seq."""
    return f"{seq}-0"


def seq_of(entry_id: bytes | str) -> int:
    """The seq of a stream id."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(text.split("-", 1)[0])


# Fenced: only the lease holder writes, and the stream id refuses a seq at or below the last one.
# KEYS: leader, stream, matches, seqs, league set. ARGV: instance, seq, envelope, maxlen, match id,
# match JSON ('' for an event), pub/sub channel.
PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'notleader' end
local id = ARGV[2] .. '-0'
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #top > 0 and tonumber(string.match(top[1][1], '^(%d+)')) >= tonumber(ARGV[2]) then
  local held = redis.call('XRANGE', KEYS[2], id, id)
  if #held > 0 and held[1][2][2] == ARGV[3] then return 'dup' end
  return 'conflict'
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], id, 'e', ARGV[3])
if ARGV[6] ~= '' and tonumber(redis.call('HGET', KEYS[4], ARGV[5]) or '0') < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[2])
end
redis.call('SADD', KEYS[5], ARGV[5])
redis.call('PUBLISH', ARGV[7], ARGV[3])
return 'ok'
"""

# KEYS: leader, tables. ARGV: instance, channel, envelope, table channel ('' for a status). Statuses
# and tables carry no seq: only the fence applies; a table is also kept, the latest per league.
PUBLISH_STATUS = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[3]) end
return redis.call('PUBLISH', ARGV[2], ARGV[3])
"""

# KEYS: epoch. ARGV: the epoch the caller knows, a new one. Replaces it only if nobody did already.
BUMP_EPOCH = """
local now = redis.call('GET', KEYS[1])
if now == false or now == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return ARGV[2] end
return now
"""
