"""``scoreterm watch --server``: the dashboard (or JSON lines) fed by a remote ``scoreterm serve``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus

from scoreterm.commands.common import (
    EXIT_FAILED,
    EXIT_NO_PROVIDER,
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    leagues_from,
    report,
    run_dashboard,
    settings_from,
)
from scoreterm.commands.headless import OutputError, output_failed, print_feed
from scoreterm.config import ConfigError, user_zone
from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.model import SourceStatus, StatusState
from scoreterm.net.client import RemoteFeed, ServerRefused, UnknownChannel, WrongURL
from scoreterm.net.protocol import CloseCode
from scoreterm.net.server_url import BadServerURL, server_url


def run_remote(
    url: str, leagues: list[str] | None, token: str | None, flags: Mapping[str, Any], *, as_json: bool
) -> int:
    """Follow ``url`` until interrupted, or refused for good: exit 2 for a URL that is no server's
    (bad port, HTTP 404), a token it refuses or a league it does not carry, 3 for another refusal, 1
    when the connection stopped on something unexpected."""
    try:
        try:
            server_url(url)
        except BadServerURL as exc:
            raise UserError(f"bad --server {url!r}: {exc}") from exc
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
    return _stopped(feed) if feed.error else code


def _run_json(feed: RemoteFeed) -> int:
    """Print the feed's lines until interrupted; the exit code as :func:`run_remote` says."""

    async def main() -> int:
        await feed.start()
        try:
            await print_feed(feed, sys.stdout, on_status=_tell_stderr)
        except OutputError as exc:
            return output_failed(exc)
        except Exception:  # the feed ended on an error: feed.error is it (a refusal, or unexpected)
            if feed.error is None:
                raise
            return _stopped(feed)
        finally:
            await feed.close()
        return EXIT_OK

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return EXIT_OK


def _stopped(feed: RemoteFeed) -> int:
    """Say why the feed stopped, once: a token the server refuses, a league it does not carry or a URL
    that is no scoreterm server's is a usage error (exit 2); another refusal exits 3, an unexpected
    stop 1."""
    error = feed.error
    if error is not None and _token_refused(error):
        sent = bool(feed.token) or isinstance(error.__cause__, InvalidStatus)  # or ?token= in the URL
        cause = "refused the token" if sent else "needs a token"
        fix = "pass --token (the one `scoreterm serve` was given), set SCORETERM_TOKEN, or run "
        fix += "`scoreterm config set server.token TOKEN`"
        print(f"scoreterm: error: {feed.shown_url} {cause}: {fix}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    print(f"scoreterm: error: {error}", file=sys.stderr, flush=True)
    if isinstance(error, UnknownChannel | WrongURL):
        return EXIT_USAGE
    return EXIT_NO_PROVIDER if isinstance(error, ServerRefused) else EXIT_FAILED


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
