"""``scoreterm watch --server``: the dashboard (or JSON lines) fed by a remote ``scoreterm serve``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from scoreterm.commands.common import (
    EXIT_NO_PROVIDER,
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    leagues_from,
    report,
    settings_from,
)
from scoreterm.commands.headless import print_feed
from scoreterm.config import ConfigError, user_zone
from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.model import SourceStatus, StatusState
from scoreterm.net.client import RemoteFeed, ServerRefused, UnknownChannel


def run_remote(
    url: str, leagues: list[str] | None, token: str | None, flags: Mapping[str, Any], *, as_json: bool
) -> int:
    """Follow ``url`` until interrupted (or refused for good: exit 3)."""
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
    make_app(feed, options).run()
    return _refused(feed) if feed.error else EXIT_OK


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
    print(f"scoreterm: error: {feed.error}", file=sys.stderr, flush=True)
    return EXIT_USAGE if isinstance(feed.error, UnknownChannel) else EXIT_NO_PROVIDER


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
