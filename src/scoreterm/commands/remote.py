"""``scoreterm watch --server``: the dashboard (or JSON lines) fed by a remote ``scoreterm serve``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidStatus

from scoreterm.commands.common import (
    EXIT_NO_PROVIDER,
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    leagues_from,
    report,
    run_dashboard,
    settings_from,
)
from scoreterm.commands.headless import print_feed
from scoreterm.config import ConfigError, user_zone
from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.model import SourceStatus, StatusState
from scoreterm.net.client import RemoteFeed, ServerRefused, UnknownChannel
from scoreterm.net.protocol import CloseCode


def run_remote(
    url: str, leagues: list[str] | None, token: str | None, flags: Mapping[str, Any], *, as_json: bool
) -> int:
    """Follow ``url`` until interrupted, or refused for good: exit 2 for a token it refuses or a
    league it does not carry, else 3."""
    try:
        if urlsplit(url).scheme not in ("ws", "wss"):
            raise UserError(f"bad --server {url!r}: use ws://host:port or wss://host:port")
        if leagues:
            leagues = [lg.slug for lg in leagues_from(leagues)]  # aliases (epl) as the server's slugs
        settings = settings_from(flags).settings
        zone = user_zone(settings.timezone)
    except UserError as exc:
        return report(exc)
    except ConfigError as exc:
        return report(UserError(str(exc)))
    feed = RemoteFeed(url, leagues, token=token or settings.server_token)
    if as_json:
        return _run_json(feed)
    from scoreterm import paths
    from scoreterm.tui.app import AppOptions, make_app

    options = AppOptions(
        settings=settings,
        zone=zone,
        leagues=leagues or [],
        delay=settings.delay,
        config_file=paths.config_file(),
    )
    code = run_dashboard(make_app(feed, options))
    return _refused(feed) if feed.error else code


def _run_json(feed: RemoteFeed) -> int:
    async def main() -> int:
        await feed.start()
        try:
            await print_feed(feed, sys.stdout, on_status=_tell_stderr)
        except ServerRefused:
            return _refused(feed)
        finally:
            await feed.close()
        return EXIT_OK

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return EXIT_OK


def _refused(feed: RemoteFeed) -> int:
    """Say why the server refused us, once; a token it refuses is a usage error (exit 2)."""
    error = feed.error
    if error is not None and _token_refused(error):
        sent = bool(feed.token) or isinstance(error.__cause__, InvalidStatus)  # or ?token= in the URL
        cause = "refused the token" if sent else "needs a token"
        fix = "pass --token (the one `scoreterm serve` was given), set SCORETERM_TOKEN, or run "
        fix += "`scoreterm config set server.token TOKEN`"
        print(f"scoreterm: error: {feed.url} {cause}: {fix}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    print(f"scoreterm: error: {error}", file=sys.stderr, flush=True)
    return EXIT_USAGE if isinstance(error, UnknownChannel) else EXIT_NO_PROVIDER


def _token_refused(error: BaseException) -> bool:
    """Whether the server turned us away for the token: HTTP 401 at the upgrade (a token it does
    not take) or a close with 4001 after hello (none given, or a wrong one)."""
    cause = error.__cause__
    if isinstance(cause, InvalidStatus):
        return cause.response.status_code == HTTPStatus.UNAUTHORIZED
    if isinstance(cause, ConnectionClosed):
        return cause.rcvd is not None and cause.rcvd.code == CloseCode.UNAUTHORIZED
    return False


def _tell_stderr(channel: str, status: SourceStatus, before: StatusState | None) -> None:
    """Say on stderr when the connection fails (the first time in a row) and when it is back."""
    if channel != CONNECTION:
        return
    if status.state == "reconnecting" and before not in ("reconnecting", "offline"):
        retry = f"; retrying in {status.next_poll_s:.0f}s" if status.next_poll_s is not None else ""
        print(
            f"scoreterm: cannot reach {status.provider}: {status.message.split(';')[0]}{retry}",
            file=sys.stderr,
            flush=True,
        )
    elif status.state in ("connected", "resumed", "fresh") and before in ("reconnecting", "offline"):
        print(f"scoreterm: connected to {status.provider} ({status.state})", file=sys.stderr, flush=True)
