"""The URL of a ``scoreterm serve`` as ``watch --server`` takes it: checked, completed and shown.

A user types ``ws://host:8765``; the server's WebSocket is at ``/v1/ws``. The rules:

- the scheme is ``ws`` or ``wss``, there is a host, and a port, when given, is 1-65535;
- a path that ends in ``/v1/ws`` is used as it is; no path (or ``/``) gets ``/v1/ws``; any other path
  is a prefix (a server behind a proxy at ``wss://example.org/scores``) and gets ``/v1/ws`` after it;
- a query string (``?token=...``, which the server accepts) stays, after the path.

The URL shown to the user (status bar, JSON status lines, stderr) hides the value of ``?token=``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

WS_PATH = "/v1/ws"
HOW = "use ws://host:port or wss://host:port"


class BadServerURL(ValueError):
    """A server URL the client cannot connect to; the message says what is wrong with it."""


def server_url(text: str) -> str:
    """The WebSocket URL to connect to for what the user gave (see the module's rules).

    Raises:
        BadServerURL: not ws/wss, no host, or a port that is not a number in 1-65535.
    """
    raw = text.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port  # ValueError for "abc" or 99999
    except ValueError as exc:
        raise BadServerURL(f"{_problem(raw, exc)}; {HOW}") from exc
    if parts.scheme not in ("ws", "wss"):
        what = f"{parts.scheme}://" if parts.scheme in ("http", "https") else "this"
        raise BadServerURL(f"{what} is not a WebSocket URL; {HOW}")
    if not parts.hostname:
        raise BadServerURL(f"no host; {HOW}")
    if port == 0:
        raise BadServerURL(f"port 0 is not a port to connect to; {HOW}")
    path = parts.path.rstrip("/")
    if not path.endswith(WS_PATH):
        path += WS_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def shown_url(url: str) -> str:
    """``url`` to show or print: the value of a ``token`` query parameter becomes ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name == "token" for name, _ in pairs):
        return url
    query = urlencode([(name, "***" if name == "token" else value) for name, value in pairs], safe="*")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _problem(raw: str, error: ValueError) -> str:
    """What urlsplit found wrong, in the user's terms (its own words say 0-65535 for a port)."""
    if "Port" not in str(error):
        return str(error)
    netloc = raw.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0]
    port = netloc.rsplit("]", 1)[-1].rpartition(":")[2]
    return f"port {port} is out of range (1-65535)" if port.isdigit() else f"port {port!r} is not a number"
